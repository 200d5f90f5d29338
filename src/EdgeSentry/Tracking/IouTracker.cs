using EdgeSentry.Detection;

namespace EdgeSentry.Tracking;

/// <summary>
/// The plain baseline: each track keeps its last box, and confident detections are matched to it by
/// IoU alone (no motion model, no second chance for low-score detections). Kept as the reference the
/// ByteTrack-style tracker is measured against.
/// </summary>
public sealed class IouTracker : IObjectTracker
{
    private readonly TrackerOptions _options;
    private readonly TrackedObject[] _tracks;
    private readonly bool[] _pinned;
    private readonly BoundingBox[] _boxes;
    private readonly int[] _classes;
    private readonly bool[] _trackEligible;
    private bool[] _detectionEligible;
    private readonly IouMatcher _matcher;
    private int _nextId = 1;

    public IouTracker(TrackerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _tracks = new TrackedObject[options.MaxTracks];
        _pinned = new bool[options.MaxTracks];
        _boxes = new BoundingBox[options.MaxTracks];
        _classes = new int[options.MaxTracks];
        _trackEligible = new bool[options.MaxTracks];
        _detectionEligible = new bool[256];
        _matcher = new IouMatcher(options.MaxTracks, 64);
    }

    public ReadOnlySpan<TrackedObject> Tracks => _tracks;

    public long BirthsDropped { get; private set; }

    public int TracksStarted { get; private set; }

    public void SetPinned(int slot, bool pinned) => _pinned[slot] = pinned;

    public void Update(ReadOnlySpan<EdgeSentry.Detection.Detection> detections, double ptsSeconds)
    {
        if (detections.Length > _detectionEligible.Length)
        {
            _detectionEligible = new bool[Math.Max(detections.Length, _detectionEligible.Length * 2)];
        }

        _matcher.BeginFrame(detections.Length);
        for (int d = 0; d < detections.Length; d++)
        {
            _detectionEligible[d] = detections[d].Score >= _options.HighScore;
        }

        for (int t = 0; t < _tracks.Length; t++)
        {
            ref var track = ref _tracks[t];
            track.DetectionIndex = -1;
            _trackEligible[t] = track.State != TrackState.Free;
            _boxes[t] = track.Box;
            _classes[t] = track.ClassId;
        }

        _matcher.Match(_boxes, _classes, _trackEligible, detections, _detectionEligible, _options.MatchIou);

        for (int t = 0; t < _tracks.Length; t++)
        {
            ref var track = ref _tracks[t];
            if (track.State == TrackState.Free)
            {
                continue;
            }

            int d = _matcher.TrackToDetection[t];
            if (d >= 0)
            {
                TrackTable.Matched(ref track, detections[d], d, ptsSeconds, _options.MinHits);
            }
            else
            {
                // Lost or gone, the baseline keeps the last box: it has no motion model to coast on.
                _ = TrackTable.Missed(ref track, ptsSeconds, _options.LostSeconds);
            }
        }

        for (int d = 0; d < detections.Length; d++)
        {
            if (_matcher.DetectionToTrack[d] >= 0 || detections[d].Score < _options.NewTrackScore)
            {
                continue;
            }

            int slot = TrackTable.FreeSlot(_tracks, _pinned);
            if (slot < 0)
            {
                BirthsDropped++;
                continue;
            }

            TracksStarted++;
            _tracks[slot] = TrackTable.Born(_nextId++, detections[d], d, ptsSeconds, _options.MinHits);
        }
    }
}
