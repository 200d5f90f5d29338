namespace EdgeSentry.Detection;

/// <summary>
/// The detection scores at which this model's detections start and keep tracks. Small models score
/// small or distant objects far lower than the large detectors ByteTrack's defaults (0.5 / 0.6) were
/// tuned for, so each manifest carries levels measured on the shared footage (see models/README.md).
/// A camera's <c>tracker</c> block overrides them.
/// </summary>
public sealed record TrackBirthManifest
{
    /// <summary>Detections at or above this score take part in the first association and may start tracks.</summary>
    public float HighScore { get; set; }

    /// <summary>Detections between this and <see cref="HighScore"/> only keep existing tracks alive.</summary>
    public float LowScore { get; set; }

    /// <summary>A new track needs a detection at least this confident.</summary>
    public float NewTrackScore { get; set; }

    /// <summary>How and on which footage the levels were measured.</summary>
    public string Measured { get; set; } = "";
}
