using Microsoft.Extensions.Logging;

namespace EdgeSentry.Capture;

/// <summary>Capture events: ids 1000-1999. Sources are always logged redacted.</summary>
internal static partial class CaptureLog
{
    [LoggerMessage(1000, LogLevel.Information, "Camera {CameraId}: opening {Source}")]
    public static partial void Opening(ILogger logger, string cameraId, string source);

    [LoggerMessage(1001, LogLevel.Information, "Camera {CameraId}: streaming {SourceWidth}x{SourceHeight} @ {Fps:0.##} fps, decoded at {Width}x{Height}")]
    public static partial void Streaming(ILogger logger, string cameraId, int sourceWidth, int sourceHeight, double fps, int width, int height);

    [LoggerMessage(1002, LogLevel.Warning, "Camera {CameraId}: stream lost ({Reason}); reconnect {Attempt} in {Delay}")]
    public static partial void Reconnecting(ILogger logger, string cameraId, string reason, int attempt, TimeSpan delay);

    [LoggerMessage(1003, LogLevel.Warning, "Camera {CameraId}: no frame for {Stall}; killing the decoder")]
    public static partial void Stalled(ILogger logger, string cameraId, TimeSpan stall);

    [LoggerMessage(1004, LogLevel.Information, "Camera {CameraId}: source ended after {Frames} frames")]
    public static partial void Ended(ILogger logger, string cameraId, long frames);

    [LoggerMessage(1005, LogLevel.Information, "Camera {CameraId}: state {State}")]
    public static partial void StateChanged(ILogger logger, string cameraId, string state);

    [LoggerMessage(1006, LogLevel.Debug, "Camera {CameraId} decoder: {Line}")]
    public static partial void DecoderOutput(ILogger logger, string cameraId, string line);
}
