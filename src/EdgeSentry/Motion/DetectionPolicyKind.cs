namespace EdgeSentry.Motion;

/// <summary>When a camera's frame leaving the freshest-frame slot goes to the detector.</summary>
public enum DetectionPolicyKind
{
    /// <summary>Every frame the detector can take (the rate limit is the camera's maxFps).</summary>
    EveryFrame,

    /// <summary>Full rate while there is motion or a live track; otherwise one frame per keep-alive period.</summary>
    Motion,

    /// <summary>Every Nth decoded frame; the tracker predicts across the gap (its motion model runs on frame time).</summary>
    Interval,
}
