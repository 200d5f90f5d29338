using Microsoft.Extensions.Logging;

namespace EdgeSentry.Detection;

internal static partial class DetectionLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information,
        Message = "Loaded model {Model} (family {Family}, input {Width}x{Height}, provider {Provider}, {IntraOpThreads} intra-op threads, ONNX Runtime {OrtVersion}) in {ElapsedMs} ms")]
    public static partial void ModelLoaded(ILogger logger, string model, string family, int width, int height, string provider, int intraOpThreads, string ortVersion, long elapsedMs);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Model {Model} uses the {Path} preprocessing path")]
    public static partial void PreprocessingPath(ILogger logger, string model, string path);

    [LoggerMessage(EventId = 2003, Message = "ONNX Runtime [{Category}] {Message} ({CodeLocation})")]
    public static partial void OnnxRuntimeMessage(ILogger logger, LogLevel level, string category, string codeLocation, string message);
}
