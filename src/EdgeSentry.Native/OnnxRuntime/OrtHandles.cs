using Microsoft.Win32.SafeHandles;

namespace EdgeSentry.Native.OnnxRuntime;

// One SafeHandle type per ORT object kind, so each is released by its own Release* slot exactly once,
// even when a constructor throws halfway or a finalizer runs on a forgotten object.

internal sealed unsafe class OrtEnvHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public OrtEnvHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        OrtLibrary.Api.ReleaseEnv(handle);
        return true;
    }
}

internal sealed unsafe class OrtSessionOptionsHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public OrtSessionOptionsHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        OrtLibrary.Api.ReleaseSessionOptions(handle);
        return true;
    }
}

internal sealed unsafe class OrtSessionHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public OrtSessionHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        OrtLibrary.Api.ReleaseSession(handle);
        return true;
    }
}

internal sealed unsafe class OrtValueHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public OrtValueHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        OrtLibrary.Api.ReleaseValue(handle);
        return true;
    }
}

internal sealed unsafe class OrtMemoryInfoHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public OrtMemoryInfoHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        OrtLibrary.Api.ReleaseMemoryInfo(handle);
        return true;
    }
}

internal sealed unsafe class OrtIoBindingHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public OrtIoBindingHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        OrtLibrary.Api.ReleaseIoBinding(handle);
        return true;
    }
}

internal sealed unsafe class OrtRunOptionsHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public OrtRunOptionsHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        OrtLibrary.Api.ReleaseRunOptions(handle);
        return true;
    }
}

internal sealed unsafe class OrtTypeInfoHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public OrtTypeInfoHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        OrtLibrary.Api.ReleaseTypeInfo(handle);
        return true;
    }
}
