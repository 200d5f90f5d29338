using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Tracking;

/// <summary>
/// A camera's tracker as a pipeline stage: associates each frame's (unmasked) detections with tracks
/// and says once, not per frame, when the slot table is full and when it has room again.
/// </summary>
public sealed class TrackingStage
{
    /// <summary>No dropped birth for this long (stream seconds) before "tracking again" is logged.</summary>
    private const double RecoveredSeconds = 10;

    private readonly string _cameraId;
    private readonly IObjectTracker _tracker;
    private bool _full;
    private double _lastBirthDropped;

    public TrackingStage(string cameraId, IObjectTracker tracker)
    {
        _cameraId = cameraId;
        _tracker = tracker;
        Capacity = tracker.Tracks.Length;
    }

    public IObjectTracker Tracker => _tracker;

    public int Capacity { get; }

    public ILogger Logger { get; set; } = NullLogger.Instance;

    /// <summary>The slot table after the latest <see cref="Update"/>.</summary>
    public ReadOnlySpan<TrackedObject> Tracks => _tracker.Tracks;

    public void Update(ReadOnlySpan<EdgeSentry.Detection.Detection> detections, double t)
    {
        long droppedBefore = _tracker.BirthsDropped;
        _tracker.Update(detections, t);
        if (_tracker.BirthsDropped != droppedBefore)
        {
            _lastBirthDropped = t;
            if (!_full)
            {
                _full = true;
                TrackingLog.TrackerFull(Logger, _cameraId, Capacity);
            }
        }
        else if (_full && t - _lastBirthDropped >= RecoveredSeconds)
        {
            // Hysteresis: a crowd hovering at capacity would otherwise log on every other frame.
            _full = false;
            TrackingLog.TrackerRecovered(Logger, _cameraId, _tracker.BirthsDropped);
        }
    }

    /// <summary>Keeps the slots an open incident refers to from being handed to new tracks (see <see cref="IObjectTracker.SetPinned"/>).</summary>
    public void Pin(ReadOnlySpan<bool> pinned)
    {
        for (int slot = 0; slot < pinned.Length; slot++)
        {
            _tracker.SetPinned(slot, pinned[slot]);
        }
    }
}
