using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace EdgeSentry.Detection;

/// <summary>
/// ONNX Runtime's one environment per process, created here before any session or option object so that its
/// logger is ours: ORT's own lines go to the service's logging (event id 2003) instead of coloured stderr,
/// and while a session is being opened its errors are also kept, so that a failure names its cause (ORT logs
/// "libcublasLt.so.13: cannot open shared object file" but throws only "Failed to load shared library").
/// </summary>
internal static class OnnxRuntimeEnvironment
{
    // The native side holds a pointer to this delegate for the life of the process: it must never be collected.
    private static readonly DOrtLoggingFunction LogCallback = OnLog;
    private static readonly Lock Gate = new();
    private static OrtEnv? SharedEnv;
    private static ILogger? RoutedLogger;

    [ThreadStatic]
    private static StringBuilder? Captured;

    public static OrtEnv Instance
    {
        get
        {
            if (Volatile.Read(ref SharedEnv) is { } env)
            {
                return env;
            }

            lock (Gate)
            {
                if (SharedEnv is null)
                {
                    if (OrtEnv.IsCreated)
                    {
                        // Something created the default environment first; its logger stays as ORT made it.
                        SharedEnv = OrtEnv.Instance();
                    }
                    else
                    {
                        var options = new EnvironmentCreationOptions
                        {
                            logId = "edgesentry",
                            logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
                            loggingFunction = LogCallback,
                        };
                        SharedEnv = OrtEnv.CreateInstanceWithOptions(ref options);
                    }
                }

                return SharedEnv;
            }
        }
    }

    public static string Version => Instance.GetVersionString();

    /// <summary>ORT's names of the providers this build carries (e.g. CPUExecutionProvider; the GPU flavour adds CUDA and TensorRT).</summary>
    public static IReadOnlyList<string> AvailableProviders => Instance.GetAvailableProviders();

    /// <summary>The first logger given routes ORT's messages from then on; later calls change nothing.</summary>
    public static void RouteLogsTo(ILogger logger)
    {
        _ = Instance;
        Interlocked.CompareExchange(ref RoutedLogger, logger, null);
    }

    /// <summary>
    /// Keeps the errors ORT logs on this thread until the scope ends; <see cref="ErrorCapture.Text"/> has them.
    /// ORT logs a failed provider load on the thread that asked for the provider.
    /// </summary>
    public static ErrorCapture CaptureErrors()
    {
        _ = Instance;
        Captured = new StringBuilder();
        return new ErrorCapture();
    }

    private static void OnLog(IntPtr param, OrtLoggingLevel severity, string category, string logId, string codeLocation, string message)
    {
        // Called from ORT's threads through a native frame: nothing may escape from here.
        try
        {
            if (severity >= OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR && Captured is { } captured)
            {
                captured.Append(captured.Length > 0 ? "; " : string.Empty).Append(message);
            }

            if (Volatile.Read(ref RoutedLogger) is { } logger)
            {
                var level = severity switch
                {
                    OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE => LogLevel.Trace,
                    OrtLoggingLevel.ORT_LOGGING_LEVEL_INFO => LogLevel.Debug,
                    OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING => LogLevel.Warning,
                    OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR => LogLevel.Error,
                    _ => LogLevel.Critical,
                };
                DetectionLog.OnnxRuntimeMessage(logger, level, category, codeLocation, message);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A failing log sink must not take ORT down with it.
        }
    }

    /// <summary>What ORT logged as errors on this thread since <see cref="CaptureErrors"/>.</summary>
    internal readonly struct ErrorCapture : IDisposable
    {
        public string Text => Captured?.ToString() ?? string.Empty;

        public void Dispose() => Captured = null;
    }
}
