using System.Runtime.InteropServices;

namespace EdgeSentry.Native.OnnxRuntime;

/// <summary>
/// Inputs and outputs bound once to fixed tensors, so <see cref="OrtSession.Run(OrtIoBinding)"/> passes no
/// names or arrays per frame and allocates nothing managed. Keeps the bound tensors alive.
/// </summary>
public sealed unsafe class OrtIoBinding : IDisposable
{
    private readonly List<object> bound = [];

    internal OrtIoBinding(OrtSession session, OrtIoBindingHandle handle)
    {
        Session = session;
        Handle = handle;
    }

    public OrtSession Session { get; }

    internal OrtIoBindingHandle Handle { get; }

    public void BindInput<T>(string name, OrtTensor<T> tensor)
        where T : unmanaged => Bind(name, tensor.Value, tensor, input: true);

    public void BindOutput<T>(string name, OrtTensor<T> tensor)
        where T : unmanaged => Bind(name, tensor.Value, tensor, input: false);

    public void Dispose() => Handle.Dispose();

    private void Bind(string name, OrtValueHandle value, object owner, bool input)
    {
        ref readonly OrtApi api = ref OrtLibrary.Api;
        byte[] utf8 = OrtEnvironment.Utf8(name);
        bool addedBinding = false, addedValue = false;
        try
        {
            Handle.DangerousAddRef(ref addedBinding);
            value.DangerousAddRef(ref addedValue);
            fixed (byte* n = utf8)
            {
                nint status = input
                    ? api.BindInput(Handle.DangerousGetHandle(), n, value.DangerousGetHandle())
                    : api.BindOutput(Handle.DangerousGetHandle(), n, value.DangerousGetHandle());
                OrtLibrary.ThrowIfFailed(status, $"binding {(input ? "input" : "output")} '{name}' of {Session.ModelPath}");
            }
        }
        finally
        {
            if (addedValue)
            {
                value.DangerousRelease();
            }

            if (addedBinding)
            {
                Handle.DangerousRelease();
            }
        }

        bound.Add(owner);
    }
}
