using Microsoft.Extensions.Logging;

namespace EdgeSentry.Pictures;

internal static partial class PicturesLog
{
    [LoggerMessage(8800, LogLevel.Warning, "Pictures are off: {Reason}. Alerts are sent without snapshots. {Remedy}")]
    public static partial void Unavailable(ILogger logger, string reason, string remedy);

    [LoggerMessage(8801, LogLevel.Warning, "Snapshot for camera {CameraId} failed: {Reason}; the alert goes out without it")]
    public static partial void RenderFailed(ILogger logger, string cameraId, string reason);
}
