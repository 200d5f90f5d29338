namespace EdgeSentry.Benchmarking;

/// <summary>
/// The motion policy replayed on every clip with the model's detector and a tracker (the policy keeps full rate
/// while a track is live), and what the motion measure costs next to one detection, both timed on the same
/// thread in the same pass.
/// </summary>
public sealed record MotionResult
{
    /// <summary>The policy's settings (the service's defaults).</summary>
    public required double KeepAliveSeconds { get; init; }

    public required double MotionHoldSeconds { get; init; }

    public required double MotionThreshold { get; init; }

    /// <summary>True when the motion measure ran its SIMD path.</summary>
    public required bool Vectorised { get; init; }

    /// <summary>Intra-op threads of the detector timed here (the model's chosen layout).</summary>
    public required int DetectorThreads { get; init; }

    public required IReadOnlyList<MotionClipResult> Clips { get; init; }

    /// <summary>Wall time of the motion measure per frame (every frame of every clip).</summary>
    public required StageLatency MotionMeasure { get; init; }

    /// <summary>Wall time of one detection (preprocess, run, decode) on the frames the policy passed on.</summary>
    public required StageLatency Detection { get; init; }

    /// <summary>Median motion measure over median detection.</summary>
    public required double CostRatio { get; init; }

    /// <summary>Managed bytes this thread allocated in the motion measure per frame, after each clip's first frame (which sizes the buffers).</summary>
    public required double AllocatedBytesPerFrame { get; init; }
}
