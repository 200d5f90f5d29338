using Microsoft.Extensions.Logging;

namespace EdgeSentry.Rules;

/// <summary>Tracking/rules log events (3000-3999). State changes only, never per frame.</summary>
internal static partial class RulesLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning,
        Message = "Camera {CameraId}: all {Capacity} track slots are in use; new objects are not tracked until some leave")]
    public static partial void TrackerFull(ILogger logger, string cameraId, int capacity);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information,
        Message = "Camera {CameraId}: tracking new objects again ({Dropped} detections could not start a track meanwhile)")]
    public static partial void TrackerRecovered(ILogger logger, string cameraId, long dropped);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning,
        Message = "Camera {CameraId}: frame time went back from {PreviousSeconds:F3} s to {PtsSeconds:F3} s (source restarted?); rules continue on a shifted clock")]
    public static partial void PtsWentBack(ILogger logger, string cameraId, double previousSeconds, double ptsSeconds);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information,
        Message = "Camera {CameraId}: rule {RuleId} is now {State} by its schedule")]
    public static partial void ScheduleChanged(ILogger logger, string cameraId, string ruleId, string state);
}
