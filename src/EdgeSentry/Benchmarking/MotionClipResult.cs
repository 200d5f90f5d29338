namespace EdgeSentry.Benchmarking;

/// <summary>One clip as one camera under the motion policy, against detecting every frame.</summary>
public sealed record MotionClipResult
{
    public required string Clip { get; init; }

    /// <summary>Frames decoded and measured for motion (every one, at the clip's own frame rate).</summary>
    public required long Frames { get; init; }

    /// <summary>Stream time the frames cover: the camera-seconds.</summary>
    public required double VideoSeconds { get; init; }

    /// <summary>Share of frames whose motion reached the policy's threshold (0-1).</summary>
    public required double MotionFraction { get; init; }

    /// <summary>Frames the policy sent to the detector.</summary>
    public required long FramesDetected { get; init; }

    /// <summary>Frames the policy passed over (not detected).</summary>
    public required long FramesSkipped { get; init; }

    /// <summary>Detector runs per camera-second when every frame is detected (= the clip's frame rate).</summary>
    public required double EveryFrameDetectionsPerCameraSecond { get; init; }

    /// <summary>Detector runs per camera-second under the motion policy.</summary>
    public required double MotionDetectionsPerCameraSecond { get; init; }

    /// <summary>Every-frame over motion-policy detector runs (how many times fewer).</summary>
    public required double Reduction { get; init; }
}
