using System.Runtime.InteropServices;

namespace EdgeSentry.Native.TurboJpeg;

/// <summary>A TurboJPEG call failed; the message is TurboJPEG's own (tjGetErrorStr2).</summary>
public sealed class TurboJpegException : Exception
{
    public TurboJpegException()
    {
    }

    public TurboJpegException(string message)
        : base(message)
    {
    }

    public TurboJpegException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal static unsafe string LastError(IntPtr handle) =>
        Marshal.PtrToStringUTF8((IntPtr)TurboJpegNative.GetErrorStr2(handle)) ?? "unknown TurboJPEG error";

    internal static void ThrowIfFailed(int rc, TurboJpegHandle handle, string operation)
    {
        if (rc != 0)
        {
            bool added = false;
            handle.DangerousAddRef(ref added);
            try
            {
                throw new TurboJpegException($"{operation} failed: {LastError(handle.DangerousGetHandle())}");
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                }
            }
        }
    }
}
