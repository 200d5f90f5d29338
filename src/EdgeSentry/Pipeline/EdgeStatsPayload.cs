namespace EdgeSentry.Pipeline;

/// <summary>Periodic on edgesentry/v1/edges/{edgeId}/stats.</summary>
public sealed record EdgeStatsPayload(string EdgeId, string At, long FramesProcessed, long AlertsStored, long OutboxDepth, ProcessStatsPayload Process, List<CameraStatsPayload> Cameras)
{
    /// <summary>Detector runs per second for the whole box since the previous stats message.</summary>
    public double DetectionsPerSecond { get; init; }

    /// <summary>Frames passed over by the cameras' detection policies (apart from frames dropped for lack of time).</summary>
    public long FramesSkipped { get; init; }

    public string Schema { get; init; } = "edgesentry/v1/edge-stats";
    public int Version { get; init; } = 1;
}
