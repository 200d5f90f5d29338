using EdgeSentry.Detection;

namespace EdgeSentry.Tracking;

/// <summary>Tracker tuning; see <c>EdgeSentry.Rules.TrackerDefinition</c> for the meaning of each value.</summary>
public sealed record TrackerOptions
{
    public float HighScore { get; init; } = 0.5f;
    public float LowScore { get; init; } = 0.1f;
    public float NewTrackScore { get; init; } = 0.6f;
    public float MatchIou { get; init; } = 0.2f;
    /// <summary>Second association (low-score detections to tracked tracks) is stricter, as in ByteTrack.</summary>
    public float LowMatchIou { get; init; } = 0.5f;
    /// <summary>Tentative tracks match new detections with this minimum IoU.</summary>
    public float TentativeMatchIou { get; init; } = 0.3f;
    /// <summary>
    /// A confident detection of another class that overlaps a confirmed or lost track at least this much (IoU)
    /// continues that track instead of starting one: nano models flip the label of one object between frames
    /// (a car seen from above is "cell phone", "suitcase", then "bus"), and at a model's low track-birth
    /// levels each flip would otherwise be a new object that counts again. High enough that two distinct
    /// objects (a person and the bicycle under them) do not merge; above 1 turns it off.
    /// </summary>
    public float CrossClassMatchIou { get; init; } = 0.7f;
    public int MinHits { get; init; } = 3;
    public double LostSeconds { get; init; } = 1.5;
    public int MaxTracks { get; init; } = 128;
    /// <summary>The frame interval the motion noise is tuned for (ByteTrack's defaults assume ~25-30 fps).</summary>
    public double NominalFrameSeconds { get; init; } = 1.0 / 25;

    /// <summary>ByteTrack's defaults with the model's measured track-birth levels, if its manifest has them.</summary>
    public static TrackerOptions ForModel(TrackBirthManifest? levels) => levels is null
        ? new TrackerOptions()
        : new TrackerOptions { HighScore = levels.HighScore, LowScore = levels.LowScore, NewTrackScore = levels.NewTrackScore };
}
