using System.Runtime.InteropServices;
using System.Text;

namespace EdgeSentry.Native.OnnxRuntime;

/// <summary>
/// The ORT environment (its logging and global state). ORT keeps one per process internally, so
/// <see cref="Shared"/> is what sessions normally use; it lives as long as the process.
/// </summary>
public sealed unsafe class OrtEnvironment : IDisposable
{
    private static readonly Lock SharedGate = new();
    private static OrtEnvironment? shared;

    private OrtEnvironment(OrtEnvHandle handle) => Handle = handle;

    /// <summary>The process-wide environment, created on first use with warnings and worse logged.</summary>
    public static OrtEnvironment Shared
    {
        get
        {
            lock (SharedGate)
            {
                return shared ??= Create(OrtLoggingLevel.Warning, "edgesentry");
            }
        }
    }

    internal OrtEnvHandle Handle { get; }

    public static OrtEnvironment Create(OrtLoggingLevel logSeverity, string logId)
    {
        ref readonly OrtApi api = ref OrtLibrary.Api;
        var handle = new OrtEnvHandle();
        byte[] id = Utf8(logId);
        nint env;
        fixed (byte* idPtr = id)
        {
            OrtLibrary.ThrowIfFailed(api.CreateEnv((int)logSeverity, idPtr, &env), "creating the ONNX Runtime environment");
        }

        Marshal.InitHandle(handle, env);
        return new OrtEnvironment(handle);
    }

    /// <summary>Execution providers compiled into the loaded library (their libraries may still be missing).</summary>
    public static IReadOnlyList<string> AvailableProviders()
    {
        ref readonly OrtApi api = ref OrtLibrary.Api;
        byte** names;
        int count;
        OrtLibrary.ThrowIfFailed(api.GetAvailableProviders(&names, &count), "listing execution providers");
        try
        {
            var result = new string[count];
            for (int i = 0; i < count; i++)
            {
                result[i] = Marshal.PtrToStringUTF8((nint)names[i]) ?? string.Empty;
            }

            return result;
        }
        finally
        {
            OrtLibrary.ThrowIfFailed(api.ReleaseAvailableProviders(names, count), "releasing the execution provider list");
        }
    }

    public void Dispose() => Handle.Dispose();

    internal static byte[] Utf8(string text)
    {
        // Null-terminated for the C API; only used at set-up, never per frame.
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}
