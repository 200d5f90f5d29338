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
    private static OrtLoggingLevel sharedSeverity = OrtLoggingLevel.Warning;
    private static IOrtLogSink? sharedSink;
    private static long droppedLogMessages;

    // Keeps the sink reachable from ORT's logging thread through the opaque logger_param pointer.
    private GCHandle sinkHandle;

    private OrtEnvironment(OrtEnvHandle handle, GCHandle sinkHandle)
    {
        Handle = handle;
        this.sinkHandle = sinkHandle;
    }

    /// <summary>
    /// The process-wide environment (ORT keeps one per process), created on first use with the settings of
    /// <see cref="ConfigureShared"/> or, by default, warnings and worse to stderr.
    /// </summary>
    public static OrtEnvironment Shared
    {
        get
        {
            lock (SharedGate)
            {
                return shared ??= Create(sharedSeverity, "edgesentry", sharedSink);
            }
        }
    }

    /// <summary>Log messages a sink threw on (they cannot be reported back into ORT).</summary>
    public static long DroppedLogMessages => Interlocked.Read(ref droppedLogMessages);

    internal OrtEnvHandle Handle { get; }

    /// <summary>
    /// Sets how <see cref="Shared"/> will log; returns false (and changes nothing) once it exists, because
    /// ORT fixes its logger when the environment is created.
    /// </summary>
    public static bool ConfigureShared(OrtLoggingLevel severity, IOrtLogSink? sink)
    {
        lock (SharedGate)
        {
            if (shared is not null)
            {
                return false;
            }

            sharedSeverity = severity;
            sharedSink = sink;
            return true;
        }
    }

    public static OrtEnvironment Create(OrtLoggingLevel logSeverity, string logId, IOrtLogSink? sink = null)
    {
        ref readonly OrtApi api = ref OrtLibrary.Api;
        var handle = new OrtEnvHandle();
        var sinkHandle = sink is null ? default : GCHandle.Alloc(sink);
        try
        {
            byte[] id = Utf8(logId);
            nint env;
            fixed (byte* idPtr = id)
            {
                nint status = sink is null
                    ? api.CreateEnv((int)logSeverity, idPtr, &env)
                    : api.CreateEnvWithCustomLogger(&OnLog, GCHandle.ToIntPtr(sinkHandle), (int)logSeverity, idPtr, &env);
                OrtLibrary.ThrowIfFailed(status, "creating the ONNX Runtime environment");
            }

            Marshal.InitHandle(handle, env);
        }
        catch
        {
            if (sinkHandle.IsAllocated)
            {
                sinkHandle.Free();
            }

            throw;
        }

        return new OrtEnvironment(handle, sinkHandle);
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

    public void Dispose()
    {
        Handle.Dispose();
        if (sinkHandle.IsAllocated)
        {
            sinkHandle.Free();
        }
    }

    [UnmanagedCallersOnly]
    private static void OnLog(nint param, int severity, byte* category, byte* logId, byte* codeLocation, byte* message)
    {
        try
        {
            var sink = (IOrtLogSink)GCHandle.FromIntPtr(param).Target!;
            sink.Log(
                (OrtLoggingLevel)severity,
                Marshal.PtrToStringUTF8((nint)category) ?? string.Empty,
                Marshal.PtrToStringUTF8((nint)codeLocation) ?? string.Empty,
                Marshal.PtrToStringUTF8((nint)message) ?? string.Empty);
        }
        catch (Exception)
        {
            // An exception must not unwind into ORT's native frames; count it so it is not silent.
            Interlocked.Increment(ref droppedLogMessages);
        }
    }

    internal static byte[] Utf8(string text)
    {
        // Null-terminated for the C API; only used at set-up, never per frame.
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}
