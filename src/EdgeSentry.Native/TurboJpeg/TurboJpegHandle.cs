using Microsoft.Win32.SafeHandles;

namespace EdgeSentry.Native.TurboJpeg;

/// <summary>Owns one tjhandle (compressor or decompressor).</summary>
public sealed class TurboJpegHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public TurboJpegHandle()
        : base(ownsHandle: true)
    {
    }

    internal TurboJpegHandle(IntPtr handle)
        : base(ownsHandle: true) => SetHandle(handle);

    protected override bool ReleaseHandle() => TurboJpegNative.Destroy(handle) == 0;

    internal static TurboJpegHandle Create(IntPtr raw, string operation)
    {
        if (raw == IntPtr.Zero)
        {
            throw new TurboJpegException($"{operation} failed: {TurboJpegException.LastError(IntPtr.Zero)}");
        }

        return new TurboJpegHandle(raw);
    }
}
