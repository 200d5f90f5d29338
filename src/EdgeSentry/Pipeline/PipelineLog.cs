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

    [LoggerMessage(6005, LogLevel.Warning, "Camera {CameraId}: snapshot not rendered: {Reason}")]
    public static partial void SnapshotFailed(ILogger logger, string cameraId, string reason);

    [LoggerMessage(6006, LogLevel.Warning, "Incident {IncidentId}#{Sequence} not acknowledged ({Reason}); retrying in {Delay}")]
    public static partial void PublishRetry(ILogger logger, string incidentId, int sequence, TimeSpan delay, string reason);

    [LoggerMessage(6007, LogLevel.Information, "Incident {IncidentId} {Transition}: {Kind} on camera {CameraId} ({Label}, zone {ZoneId})")]
    public static partial void Incident(ILogger logger, string incidentId, string transition, string kind, string cameraId, string label, string? zoneId);

    [LoggerMessage(6008, LogLevel.Information, "EdgeSentry {EdgeId} running: {Cameras} camera(s), model {Model}, broker {Broker}")]
    public static partial void Running(ILogger logger, string edgeId, int cameras, string model, string broker);

    [LoggerMessage(6010, LogLevel.Information, "Shutting down: {Queued} alert(s) still to send")]
    public static partial void Draining(ILogger logger, int queued);

    [LoggerMessage(6012, LogLevel.Warning, "Status of {Subject} not published: {Reason}")]
    public static partial void StatusNotPublished(ILogger logger, string subject, string reason);

    [LoggerMessage(6013, LogLevel.Information, "Configuration reloaded: added [{Added}], removed [{Removed}], changed [{Changed}]; needing a restart, not applied: [{NeedRestart}]")]
    public static partial void Reloaded(ILogger logger, string added, string removed, string changed, string needRestart);
    [LoggerMessage(6014, LogLevel.Error, "Loop {Loop} failed; restarting with backoff")]
    public static partial void LoopFaulted(ILogger logger, string loop, Exception exception);

    [LoggerMessage(6015, LogLevel.Error, "Loop {Loop} ended while it should run until stopped; restarting with backoff")]
    public static partial void LoopEnded(ILogger logger, string loop);

    [LoggerMessage(6016, LogLevel.Warning, "Loop {Loop} restarted (failure {Failures} in a row)")]
    public static partial void LoopRestarting(ILogger logger, string loop, int failures);

    [LoggerMessage(6017, LogLevel.Error, "Stage {Stage}: one item failed and was skipped ({Subject})")]
    public static partial void ItemFaulted(ILogger logger, string stage, string subject, Exception exception);

    [LoggerMessage(6018, LogLevel.Error, "Detector {Model} worker {Worker}: a call on camera {CameraId} ran over the {LimitSeconds} s watchdog limit; abandoned, session recreated")]
    public static partial void DetectorHung(ILogger logger, string model, int worker, double limitSeconds, string cameraId);
}
