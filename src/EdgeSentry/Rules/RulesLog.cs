using Microsoft.Extensions.Logging;

namespace EdgeSentry.Rules;

/// <summary>Rules log events (3003-3999; the tracker logs 3001-3002). State changes only, never per frame.</summary>
internal static partial class RulesLog
{
    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning,
        Message = "Camera {CameraId}: frame time went back from {PreviousSeconds:F3} s to {PtsSeconds:F3} s (source restarted?); rules continue on a shifted clock")]
    public static partial void PtsWentBack(ILogger logger, string cameraId, double previousSeconds, double ptsSeconds);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information,
        Message = "Camera {CameraId}: rule {RuleId} is now {State} by its schedule")]
    public static partial void ScheduleChanged(ILogger logger, string cameraId, string ruleId, string state);
}
