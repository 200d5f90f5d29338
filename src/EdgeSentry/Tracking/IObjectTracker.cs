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
