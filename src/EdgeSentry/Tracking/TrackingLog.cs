using Microsoft.Extensions.Logging;

namespace EdgeSentry.Tracking;

/// <summary>Tracking log events (3001-3099, inside the tracking/rules range 3000-3999). State changes only.</summary>
internal static partial class TrackingLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning,
        Message = "Camera {CameraId}: all {Capacity} track slots are in use; new objects are not tracked until some leave")]
    public static partial void TrackerFull(ILogger logger, string cameraId, int capacity);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information,
        Message = "Camera {CameraId}: tracking new objects again ({Dropped} detections could not start a track meanwhile)")]
    public static partial void TrackerRecovered(ILogger logger, string cameraId, long dropped);
}
