using Microsoft.Extensions.Logging;

namespace EdgeSentry.Operator;

/// <summary>Operator page log messages, event ids 9500-9599.</summary>
internal static partial class OperatorLog
{
    [LoggerMessage(EventId = 9500, Level = LogLevel.Information, Message = "Operator page on {Address}/ ; access: {Access}")]
    public static partial void Serving(ILogger logger, string address, string access);

    [LoggerMessage(EventId = 9501, Level = LogLevel.Information, Message = "Operator page saved the configuration {Path} (backup {Backup}); the file watcher applies it")]
    public static partial void ConfigurationSaved(ILogger logger, string path, string backup);

    [LoggerMessage(EventId = 9502, Level = LogLevel.Information, Message = "Operator page: configuration for camera {CameraId} rejected with {Count} error(s)")]
    public static partial void ConfigurationRejected(ILogger logger, string cameraId, int count);

    [LoggerMessage(EventId = 9503, Level = LogLevel.Warning, Message = "Operator page: live frame for camera {CameraId} not drawn: {Error}")]
    public static partial void LiveFrameFailed(ILogger logger, string cameraId, string error);

    [LoggerMessage(EventId = 9504, Level = LogLevel.Information, Message = "HTTP request without a valid token refused: {Method} {Path} from {Remote}")]
    public static partial void Refused(ILogger logger, string method, string path, string remote);
}
