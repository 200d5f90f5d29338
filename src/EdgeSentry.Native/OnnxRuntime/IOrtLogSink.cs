namespace EdgeSentry.Native.OnnxRuntime;

/// <summary>
/// Receives ONNX Runtime's own log messages instead of its coloured stderr output. Called on ORT's threads;
/// an implementation must be thread-safe and must not throw (anything thrown is counted and dropped, since
/// it cannot cross back into native code).
/// </summary>
public interface IOrtLogSink
{
    void Log(OrtLoggingLevel severity, string category, string codeLocation, string message);
}
