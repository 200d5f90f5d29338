using EdgeSentry.Detection;

namespace EdgeSentry.Tracking;

/// <summary>
/// A per-camera multi-object tracker over a fixed table of slots. Single-threaded: the camera's
/// pipeline calls <see cref="Update"/> once per processed frame, in order. Allocates nothing per frame.
/// </summary>
public interface IObjectTracker
{
    /// <summary>The slot table (length = capacity); a slot's <see cref="TrackedObject.State"/> tells whether it is in use.</summary>
    ReadOnlySpan<TrackedObject> Tracks { get; }

    /// <summary>High-score detections that could not start a track because every slot was taken.</summary>
    long BirthsDropped { get; }

    /// <summary>Tracks ever started (tentative ones included).</summary>
    int TracksStarted { get; }

    /// <summary>Associates this frame's detections (source pixels) with the tracks; time from the frame's pts.</summary>
    void Update(ReadOnlySpan<EdgeSentry.Detection.Detection> detections, double ptsSeconds);

    /// <summary>
    /// Keeps a freed slot from being handed to a new track while someone (an open incident) still refers
    /// to the old one by slot. The track itself still dies on time.
    /// </summary>
    void SetPinned(int slot, bool pinned);
}

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
    public int MinHits { get; init; } = 3;
    public double LostSeconds { get; init; } = 1.5;
    public int MaxTracks { get; init; } = 128;
    /// <summary>The frame interval the motion noise is tuned for (ByteTrack's defaults assume ~25-30 fps).</summary>
    public double NominalFrameSeconds { get; init; } = 1.0 / 25;
}
