namespace EdgeSentry.Pipeline;

public sealed record CameraStatsPayload(string CameraId, string State, long FramesDecoded, long FramesDropped, long FramesProcessed, long Reconnects, long Stalls, double FrameAgeP50Ms, double FrameAgeP99Ms, double InferenceP50Ms)
{
    /// <summary>"every-frame", "motion" or "interval".</summary>
    public string DetectionPolicy { get; init; } = "every-frame";

    /// <summary>Frames passed over by the detection policy (counted apart from <see cref="FramesDropped"/>).</summary>
    public long FramesSkipped { get; init; }

    /// <summary>Share of measured frames with motion (motion policy), 0-1.</summary>
    public double MotionFraction { get; init; }

    /// <summary>Detector runs per second on this camera since the previous stats message.</summary>
    public double DetectionsPerSecond { get; init; }
}
