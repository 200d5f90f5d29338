using Microsoft.Win32.SafeHandles;

namespace EdgeSentry.Native.Mosquitto;

/// <summary>
/// Owns one <c>struct mosquitto</c>. Release destroys it; <see cref="MosquittoClient"/> stops the network loop
/// first, because <c>mosquitto_destroy</c> would otherwise pthread_cancel a loop thread that may be running
/// managed callback code.
/// </summary>
public sealed class MosquittoHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public MosquittoHandle()
        : base(ownsHandle: true)
    {
    }

    internal MosquittoHandle(IntPtr handle)
        : base(ownsHandle: true) => SetHandle(handle);

    protected override bool ReleaseHandle()
    {
        MosquittoNative.Destroy(handle);
        MosquittoLibrary.RemoveClient();
        return true;
    }
}
