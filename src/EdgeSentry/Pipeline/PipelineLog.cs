using Microsoft.Extensions.Logging;

namespace EdgeSentry.Pipeline;

/// <summary>Pipeline events: ids 6000-6999.</summary>
internal static partial class PipelineLog
{
    [LoggerMessage(6000, LogLevel.Information, "Detection started: {Workers} worker(s)")]
    public static partial void WorkersStarted(ILogger logger, int workers);

    [LoggerMessage(6001, LogLevel.Error, "Camera {CameraId}: analysis failed; the frame is skipped")]
    public static partial void AnalysisFailed(ILogger logger, string cameraId, Exception exception);

    [LoggerMessage(6002, LogLevel.Information, "Detection stopped after {Frames} frames")]
    public static partial void WorkersStopped(ILogger logger, long frames);

    [LoggerMessage(6003, LogLevel.Information, "Camera {CameraId} added to the pipeline")]
    public static partial void CameraAdded(ILogger logger, string cameraId);

    [LoggerMessage(6004, LogLevel.Information, "Camera {CameraId} removed from the pipeline")]
    public static partial void CameraRemoved(ILogger logger, string cameraId);
}
