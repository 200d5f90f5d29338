using EdgeSentry.Native.OnnxRuntime;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Detection;

/// <summary>Routes ONNX Runtime's own log lines into the service's logging (instead of coloured stderr).</summary>
public sealed class OrtLogBridge(ILogger logger) : IOrtLogSink
{
    public void Log(OrtLoggingLevel severity, string category, string codeLocation, string message)
    {
        var level = severity switch
        {
            OrtLoggingLevel.Verbose => LogLevel.Trace,
            OrtLoggingLevel.Info => LogLevel.Debug,
            OrtLoggingLevel.Warning => LogLevel.Warning,
            OrtLoggingLevel.Error => LogLevel.Error,
            _ => LogLevel.Critical,
        };
        DetectionLog.OnnxRuntimeMessage(logger, level, category, codeLocation, message);
    }
}
