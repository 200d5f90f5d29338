using EdgeSentry.Detection;

namespace EdgeSentry.Tracking;

/// <summary>
/// ByteTrack-style tracker: a constant-velocity Kalman filter per track on (cx, cy, aspect, height),
/// association first of confident detections to confirmed and lost tracks, then of low-score detections
/// to tracks that were tracked last frame (occluded people keep their id instead of being reborn), then
/// of the leftovers to tentative tracks, then of confident leftovers to tracks of another class they sit on
/// (a flipped label). Births need <see cref="TrackerOptions.MinHits"/> consecutive
/// matches; a confirmed track unmatched for <see cref="TrackerOptions.LostSeconds"/> dies.
/// Time comes from the frames' pts, so a camera that drops frames keeps the same motion model.
/// </summary>
public sealed class ByteTracker : IObjectTracker
{
    // ByteTrack's noise weights (relative to the box height), tuned per frame at ~25-30 fps.
    private const double PositionWeight = 1.0 / 20;
    private const double VelocityWeight = 1.0 / 160;
    private const double AspectPositionStd = 1e-2;
    private const double AspectVelocityStd = 1e-5;
    private const double AspectMeasurementStd = 1e-1;

    private readonly TrackerOptions _options;
    private readonly TrackedObject[] _tracks;
    private readonly KalmanBox[] _filters;
    private readonly bool[] _pinned;
    private readonly BoundingBox[] _predicted;
    private readonly int[] _classes;
    private readonly bool[] _trackEligible;
    private bool[] _high = new bool[256];
    private bool[] _low = new bool[256];
    private readonly IouMatcher _matcher;
    private double _lastPts = double.NaN;
    private int _nextId = 1;

    public ByteTracker(TrackerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxTracks);
        _options = options;
        int n = options.MaxTracks;
        _tracks = new TrackedObject[n];
        _filters = new KalmanBox[n];
        _pinned = new bool[n];
        _predicted = new BoundingBox[n];
        _classes = new int[n];
        _trackEligible = new bool[n];
        _matcher = new IouMatcher(n, 64);
    }

    public ReadOnlySpan<TrackedObject> Tracks => _tracks;

    public long BirthsDropped { get; private set; }

    public int TracksStarted { get; private set; }

    public void SetPinned(int slot, bool pinned) => _pinned[slot] = pinned;

    public void Update(ReadOnlySpan<EdgeSentry.Detection.Detection> detections, double ptsSeconds)
    {
        double steps = double.IsNaN(_lastPts) ? 0 : Math.Max(0, ptsSeconds - _lastPts) / _options.NominalFrameSeconds;
        _lastPts = ptsSeconds;

        if (detections.Length > _high.Length)
        {
            _high = new bool[Math.Max(detections.Length, _high.Length * 2)];
            _low = new bool[_high.Length];
        }

        for (int d = 0; d < detections.Length; d++)
        {
            float s = detections[d].Score;
            _high[d] = s >= _options.HighScore;
            _low[d] = s >= _options.LowScore && s < _options.HighScore;
        }

        for (int t = 0; t < _tracks.Length; t++)
        {
            ref var track = ref _tracks[t];
            track.DetectionIndex = -1;
            _classes[t] = track.ClassId;
            if (track.State == TrackState.Free)
            {
                continue;
            }

            if (track.State == TrackState.Lost)
            {
                // As ByteTrack: a lost track's height stops changing, or boxes balloon while coasting.
                _filters[t].VH = 0;
            }

            _filters[t].Predict(steps);
            _predicted[t] = _filters[t].ToBox();
        }

        _matcher.BeginFrame(detections.Length);

        // 1. Confident detections against confirmed and recently lost tracks.
        for (int t = 0; t < _tracks.Length; t++)
        {
            _trackEligible[t] = _tracks[t].State is TrackState.Confirmed or TrackState.Lost;
        }

        _matcher.Match(_predicted, _classes, _trackEligible, detections, _high, _options.MatchIou);

        // 2. Low-score detections only rescue tracks that were tracked in the previous frame.
        for (int t = 0; t < _tracks.Length; t++)
        {
            _trackEligible[t] = _tracks[t].State == TrackState.Confirmed;
        }

        _matcher.Match(_predicted, _classes, _trackEligible, detections, _low, _options.LowMatchIou);

        // 3. Tentative tracks take what confident detections are left.
        for (int t = 0; t < _tracks.Length; t++)
        {
            _trackEligible[t] = _tracks[t].State == TrackState.Tentative;
        }

        _matcher.Match(_predicted, _classes, _trackEligible, detections, _high, _options.TentativeMatchIou);

        // 4. A confident detection left over that sits on a confirmed or lost track of another class is that
        //    object with a flipped label (see TrackerOptions.CrossClassMatchIou): it continues the track.
        if (_options.CrossClassMatchIou <= 1)
        {
            for (int t = 0; t < _tracks.Length; t++)
            {
                _trackEligible[t] = _tracks[t].State is TrackState.Confirmed or TrackState.Lost;
            }

            _matcher.Match(_predicted, _classes, _trackEligible, detections, _high, _options.CrossClassMatchIou, anyClass: true);
        }

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
                _filters[t].Correct(detections[d].Box);
                TrackTable.Matched(ref track, detections[d], d, ptsSeconds, _options.MinHits);
            }
            else if (TrackTable.Missed(ref track, ptsSeconds, _options.LostSeconds))
            {
                track.Box = _predicted[t];
            }
        }

        for (int d = 0; d < detections.Length; d++)
        {
            if (!_high[d] || _matcher.DetectionToTrack[d] >= 0 || detections[d].Score < _options.NewTrackScore || OnLiveTrack(detections[d].Box))
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
            _filters[slot] = KalmanBox.Start(detections[d].Box);
            _tracks[slot] = TrackTable.Born(_nextId++, detections[d], d, ptsSeconds, _options.MinHits);
        }
    }

    /// <summary>
    /// Whether a box lies on a track that already carries an object this frame: a second label for one object
    /// (per-class NMS keeps both "cell phone" and "bus" boxes of one car) must not start a second track.
    /// </summary>
    private bool OnLiveTrack(in BoundingBox box)
    {
        if (_options.CrossClassMatchIou > 1)
        {
            return false;
        }

        for (int t = 0; t < _tracks.Length; t++)
        {
            if (_tracks[t].State is TrackState.Confirmed or TrackState.Lost && _tracks[t].Box.IntersectionOverUnion(box) >= _options.CrossClassMatchIou)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The 8-state constant-velocity filter. With ByteTrack's diagonal noise, the four coordinates never
    /// couple, so it runs as four independent (position, velocity) filters: 2x2 covariances, no matrix code.
    /// Velocities are per nominal frame; <c>steps</c> is elapsed time in nominal frames.
    /// </summary>
    internal struct KalmanBox
    {
        public Axis CX, CY, A, H;

        public double VH
        {
            readonly get => H.V;
            set => H.V = value;
        }

        public static KalmanBox Start(in BoundingBox box)
        {
            double h = Math.Max(1e-3, box.Height);
            double pos = 2 * PositionWeight * h, vel = 10 * VelocityWeight * h;
            return new KalmanBox
            {
                CX = Axis.Start((box.X1 + box.X2) / 2, pos, vel),
                CY = Axis.Start((box.Y1 + box.Y2) / 2, pos, vel),
                A = Axis.Start(box.Width / h, AspectPositionStd * 2, AspectVelocityStd * 10),
                H = Axis.Start(h, pos, vel),
            };
        }

        public void Predict(double steps)
        {
            if (steps <= 0)
            {
                return;
            }

            double h = Math.Max(1e-3, H.P);
            double qp = PositionWeight * h, qv = VelocityWeight * h;
            CX.Predict(steps, qp, qv);
            CY.Predict(steps, qp, qv);
            A.Predict(steps, AspectPositionStd, AspectVelocityStd);
            H.Predict(steps, qp, qv);
        }

        public void Correct(in BoundingBox box)
        {
            double h = Math.Max(1e-3, H.P);
            double r = PositionWeight * h;
            double mh = Math.Max(1e-3, box.Height);
            CX.Correct((box.X1 + box.X2) / 2, r);
            CY.Correct((box.Y1 + box.Y2) / 2, r);
            A.Correct(box.Width / mh, AspectMeasurementStd);
            H.Correct(mh, r);
        }

        public readonly BoundingBox ToBox()
        {
            double h = Math.Max(1e-3, H.P), w = Math.Max(1e-3, A.P) * h;
            return new BoundingBox((float)(CX.P - (w / 2)), (float)(CY.P - (h / 2)), (float)(CX.P + (w / 2)), (float)(CY.P + (h / 2)));
        }
    }

    /// <summary>One coordinate: position, velocity and their 2x2 covariance.</summary>
    internal struct Axis
    {
        public double P, V, Ppp, Ppv, Pvv;

        public static Axis Start(double position, double positionStd, double velocityStd) => new()
        {
            P = position,
            Ppp = positionStd * positionStd,
            Pvv = velocityStd * velocityStd,
        };

        public void Predict(double k, double positionStd, double velocityStd)
        {
            P += V * k;
            // F P Fᵀ with F = [[1, k], [0, 1]]; process noise grows linearly with elapsed time.
            Ppp += (2 * k * Ppv) + (k * k * Pvv) + (positionStd * positionStd * k);
            Ppv += k * Pvv;
            Pvv += velocityStd * velocityStd * k;
        }

        public void Correct(double measured, double measurementStd)
        {
            double s = Ppp + (measurementStd * measurementStd);
            double kp = Ppp / s, kv = Ppv / s;
            double innovation = measured - P;
            P += kp * innovation;
            V += kv * innovation;
            Pvv -= kv * Ppv;
            Ppv *= 1 - kp;
            Ppp *= 1 - kp;
        }
    }
}
