namespace EdgeSentry.Rules;

/// <summary>
/// Line-crossing: counts confirmed tracks whose bottom-centre crosses the line (in its direction, if it
/// has one), each track at most once per direction. One incident per rule stays open while crossings
/// keep coming (hold time), with an "updated" per crossing and the per-class counts on every event.
/// </summary>
internal sealed class LineCrossingEvaluator : SingleKeyEvaluator
{
    /// <summary>Half-width of the band around a counting line in which an object's side is undecided, so jitter on the line does not count.</summary>
    internal const double DeadBand = 0.004;

    private readonly CompiledLine _line;
    private readonly LineSlot[] _slots;
    private readonly int[] _totals;
    private readonly int[] _incidentCounts;

    public LineCrossingEvaluator(CompiledRule rule, CameraRuleContext camera)
        : base(rule, camera, heartbeats: false)
    {
        _line = rule.Line ?? throw new ArgumentException($"rule '{rule.Id}' has no line", nameof(rule));
        _slots = new LineSlot[camera.TrackCapacity];
        _totals = new int[camera.Labels.Count];
        _incidentCounts = new int[camera.Labels.Count];
        State.ClassCounts = _incidentCounts;
    }

    /// <summary>Crossings of class <paramref name="classId"/> since the rule started.</summary>
    public int Total(int classId) => (uint)classId < (uint)_totals.Length
        ? _totals[classId]
        : throw new ArgumentOutOfRangeException(nameof(classId), classId, $"the model has {_totals.Length} classes");

    public override void Evaluate(in RuleFrame frame, bool armed)
    {
        if (!State.Open)
        {
            Array.Clear(_incidentCounts);
        }

        var tracks = frame.Tracks;
        var geometry = frame.Geometry;
        bool crossed = false;
        for (int slot = 0; slot < tracks.Length; slot++)
        {
            ref readonly var track = ref tracks[slot];
            ref var s = ref _slots[slot];
            if (s.TrackId != track.Id)
            {
                // Start from where the track was born, not where it was confirmed: a car confirmed only after
                // it crossed (a few frames as a tentative track) still counts its crossing.
                double bx = PlaneGeometry.FootX(track.BirthBox, geometry.FrameWidth);
                double by = PlaneGeometry.FootY(track.BirthBox, geometry.FrameHeight);
                double birthSide = _line.Side(bx, by);
                s = new LineSlot
                {
                    TrackId = track.Id,
                    Side = Math.Abs(birthSide) < DeadBand ? 0 : Math.Sign(birthSide),
                    X = bx,
                    Y = by,
                };
            }

            if (track.Id == 0 || !Rule.Accepts(track, slot, geometry))
            {
                continue;
            }

            double fx = geometry.FootX(slot), fy = geometry.FootY(slot);
            double side = _line.Side(fx, fy);
            if (Math.Abs(side) < DeadBand)
            {
                continue;
            }

            int sign = Math.Sign(side);
            if (s.Side != 0 && sign != s.Side
                && PlaneGeometry.SegmentsIntersect(s.X, s.Y, fx, fy, _line.AX, _line.AY, _line.BX, _line.BY))
            {
                // Each track counts at most once per direction, so an object dithering on the line counts once.
                int directionBit = sign > 0 ? 1 : 2;
                bool counted = !_line.HasDirection
                    || ((fx - s.X) * _line.DirectionX) + ((fy - s.Y) * _line.DirectionY) > 0;
                if (counted && armed && (s.CountedDirections & directionBit) == 0)
                {
                    s.CountedDirections |= directionBit;
                    _totals[track.ClassId]++;
                    _incidentCounts[track.ClassId]++;
                    crossed = true;
                    State.SetSubject(track.ClassId, track.Score, track.Box, track.Id);
                }
            }

            s.Side = sign;
            s.X = fx;
            s.Y = fy;
        }

        int total = 0;
        foreach (int c in _incidentCounts)
        {
            total += c;
        }

        State.Count = total;
        Lifecycle.Advance(State, crossed, double.NaN, Rule.Severity, crossed, frame);
    }

    /// <summary>What the rule remembers about the track in one slot.</summary>
    private struct LineSlot
    {
        public int TrackId;
        /// <summary>-1 or +1: the side of the line the track was last decidedly on; 0 until known.</summary>
        public int Side;
        /// <summary>The bottom-centre when the side was last decided.</summary>
        public double X;
        public double Y;
        /// <summary>Bit 1: counted crossing to the positive side; bit 2: to the negative side.</summary>
        public int CountedDirections;
    }
}
