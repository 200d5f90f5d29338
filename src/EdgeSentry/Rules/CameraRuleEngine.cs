using System.Globalization;
using EdgeSentry.Detection;
using EdgeSentry.Tracking;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Rules;

/// <summary>
/// One camera's tracker and rules. Single-threaded: the camera's pipeline calls <see cref="Process"/>
/// once per processed frame, in frame order, and the sink hears every incident transition synchronously.
/// All timing is stream time (pts seconds), never frame counts; wall time only labels events and drives
/// schedules. The per-frame path allocates nothing unless an incident transition is emitted.
/// </summary>
/// <remarks>
/// Incident keys (dedupe): intrusion, crowd = camera x rule (x its zone); line-crossing = camera x rule
/// (x its line); loitering, parking, wrong-way = camera x rule x track (a new track standing where an open
/// loitering/parking incident's track vanished, or a car re-found further along an open wrong-way
/// incident's course, takes that incident over).
/// Lifecycle per key: the condition must hold for dwellSeconds (gaps shorter than holdSeconds do not
/// reset that clock) -> started; while open, updated on a severity rise, on each line crossing, and
/// every updateSeconds as a heartbeat; ended once the condition has been false for holdSeconds, with
/// the duration (first true to last true) and peak count; then the key is quiet for cooldownSeconds.
/// Outside its schedule a rule's condition is false (open incidents end after the hold).
/// Objects are tracks the tracker has confirmed and matched in this frame, except for crowds, which
/// count this frame's detections. Zone membership is the box's bottom-centre.
/// </remarks>
public sealed class CameraRuleEngine
{
    /// <summary>Half-width of the band around a counting line in which an object's side is undecided, so jitter on the line does not count.</summary>
    internal const double LineDeadBand = 0.004;

    /// <summary>
    /// Slack on every "has T seconds passed" test: pts are rationals rounded to doubles, and 8.2 - 0.2
    /// must count as 8 seconds.
    /// </summary>
    private const double TimeSlack = 1e-6;

    private const double TrackerRecoveredSeconds = 10;

    private readonly string _cameraId;
    private readonly IReadOnlyList<string> _labels;
    private readonly CompiledZone[] _zones;
    private readonly CompiledZone[] _masks;
    private readonly CompiledRule[] _rules;
    private readonly IObjectTracker _tracker;
    private readonly int _capacity;
    private readonly double[] _footX;
    private readonly double[] _footY;
    private readonly double[] _width;
    private readonly double[] _height;
    private readonly bool[] _inZone;
    private EdgeSentry.Detection.Detection[] _kept = new EdgeSentry.Detection.Detection[256];
    private long _incidentCounter;
    private double _ptsOffset;
    private double _lastPts = double.NaN;
    private double _lastStep = 0.04;
    private int _frameWidth = 1;
    private int _frameHeight = 1;
    private bool _trackerFull;
    private double _lastBirthDropped;

    public CameraRuleEngine(string cameraId, CameraRulesDefinition definition, IReadOnlyList<string> labels, TimeProvider timeProvider)
        : this(cameraId, definition, labels, timeProvider, static options => new ByteTracker(options))
    {
    }

    /// <summary>As the public constructor, with the tracker chosen by the caller (tracker comparisons, tests).</summary>
    public CameraRuleEngine(
        string cameraId, CameraRulesDefinition definition, IReadOnlyList<string> labels, TimeProvider timeProvider,
        Func<TrackerOptions, IObjectTracker> trackerFactory)
    {
        ArgumentException.ThrowIfNullOrEmpty(cameraId);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(trackerFactory);

        var errors = new List<string>();
        definition.Validate(cameraId, labels, errors);
        if (errors.Count > 0)
        {
            throw new ArgumentException($"camera '{cameraId}' has invalid rules:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", errors)}", nameof(definition));
        }

        _cameraId = cameraId;
        _labels = labels;
        TrackerOptions = ToTrackerOptions(definition.Tracker);
        _tracker = trackerFactory(TrackerOptions);
        _capacity = _tracker.Tracks.Length;
        _zones = definition.Zones.Select(z => new CompiledZone(z)).ToArray();
        _masks = definition.Masks.Select(z => new CompiledZone(z)).ToArray();
        var lines = definition.Lines.Select(l => new CompiledLine(l)).ToArray();
        _rules = definition.Rules
            .Where(r => r.Enabled)
            .Select(r =>
            {
                int zoneIndex = r.Zone is null ? -1 : Array.FindIndex(_zones, z => z.Id == r.Zone);
                var line = r.Line is null ? null : Array.Find(lines, l => l.Id == r.Line);
                return new CompiledRule(r, zoneIndex < 0 ? null : _zones[zoneIndex], line, labels, _capacity, timeProvider.LocalTimeZone)
                {
                    ZoneIndex = zoneIndex,
                };
            })
            .ToArray();
        _footX = new double[_capacity];
        _footY = new double[_capacity];
        _width = new double[_capacity];
        _height = new double[_capacity];
        _inZone = new bool[Math.Max(1, _zones.Length) * _capacity];
    }

    public string CameraId => _cameraId;

    /// <summary>For state changes only (tracker full, pts went back, schedules arming); never called per frame.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    public TrackerOptions TrackerOptions { get; }

    /// <summary>The camera's tracker (its slot table is valid after each <see cref="Process"/>).</summary>
    public IObjectTracker Tracker => _tracker;

    /// <summary>Detections dropped because their bottom-centre lay in a mask.</summary>
    public long DetectionsMasked { get; private set; }

    /// <summary>Line-crossing rule <paramref name="ruleId"/>: crossings of class <paramref name="classId"/> since the engine started.</summary>
    public int LineCrossings(string ruleId, int classId)
    {
        var rule = Array.Find(_rules, r => r.Id == ruleId && r.Kind == RuleKind.LineCrossing)
            ?? throw new ArgumentException($"no enabled line-crossing rule '{ruleId}' on camera '{_cameraId}'", nameof(ruleId));
        return (uint)classId < (uint)rule.LineTotals.Length
            ? rule.LineTotals[classId]
            : throw new ArgumentOutOfRangeException(nameof(classId), classId, $"the model has {rule.LineTotals.Length} classes");
    }

    public static TrackerOptions ToTrackerOptions(TrackerDefinition? d) => d is null
        ? new TrackerOptions()
        : new TrackerOptions
        {
            HighScore = (float)d.HighScore,
            LowScore = (float)d.LowScore,
            NewTrackScore = (float)d.NewTrackScore,
            MatchIou = (float)d.MatchIou,
            MinHits = d.MinHits,
            LostSeconds = d.LostSeconds,
            MaxTracks = d.MaxTracks,
        };

    public void Process(
        ReadOnlySpan<EdgeSentry.Detection.Detection> detections, int frameWidth, int frameHeight,
        double ptsSeconds, DateTimeOffset capturedAt, IIncidentSink sink)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameHeight);
        ArgumentNullException.ThrowIfNull(sink);
        _frameWidth = frameWidth;
        _frameHeight = frameHeight;
        double t = StreamTime(ptsSeconds);

        var kept = Unmasked(detections, frameWidth, frameHeight);
        long droppedBefore = _tracker.BirthsDropped;
        _tracker.Update(kept, t);
        if (_tracker.BirthsDropped != droppedBefore)
        {
            _lastBirthDropped = t;
            if (!_trackerFull)
            {
                _trackerFull = true;
                RulesLog.TrackerFull(Logger, _cameraId, _capacity);
            }
        }
        else if (_trackerFull && t - _lastBirthDropped >= TrackerRecoveredSeconds)
        {
            // Hysteresis: a crowd hovering at capacity would otherwise log on every other frame.
            _trackerFull = false;
            RulesLog.TrackerRecovered(Logger, _cameraId, _tracker.BirthsDropped);
        }

        var tracks = _tracker.Tracks;
        for (int slot = 0; slot < _capacity; slot++)
        {
            ref readonly var track = ref tracks[slot];
            if (track.State == TrackState.Free)
            {
                continue;
            }

            _footX[slot] = (track.Box.X1 + track.Box.X2) * 0.5 / frameWidth;
            _footY[slot] = track.Box.Y2 / (double)frameHeight;
            _width[slot] = track.Box.Width / (double)frameWidth;
            _height[slot] = track.Box.Height / (double)frameHeight;
            for (int z = 0; z < _zones.Length; z++)
            {
                _inZone[(z * _capacity) + slot] = _zones[z].Contains(_footX[slot], _footY[slot]);
            }
        }

        foreach (var rule in _rules)
        {
            bool armed = rule.IsArmed(capturedAt);
            if (armed != rule.WasArmed)
            {
                rule.WasArmed = armed;
                RulesLog.ScheduleChanged(Logger, _cameraId, rule.Id, armed ? "armed" : "disarmed");
            }
            switch (rule.Kind)
            {
                case RuleKind.Intrusion:
                    EvaluateIntrusion(rule, armed, tracks, t, capturedAt, sink);
                    break;
                case RuleKind.Crowd:
                    EvaluateCrowd(rule, armed, kept, t, capturedAt, sink);
                    break;
                case RuleKind.LineCrossing:
                    EvaluateLine(rule, armed, tracks, t, capturedAt, sink);
                    break;
                default:
                    EvaluatePerTrack(rule, armed, tracks, t, capturedAt, sink);
                    break;
            }
        }

        for (int slot = 0; slot < _capacity; slot++)
        {
            bool pinned = false;
            foreach (var rule in _rules)
            {
                pinned |= rule.IsPerTrack && rule.PerTrack[slot].Open;
            }

            _tracker.SetPinned(slot, pinned);
        }
    }

    /// <summary>Ends every open incident now (shutdown, camera removed) and forgets pending ones.</summary>
    public void Flush(double ptsSeconds, DateTimeOffset at, IIncidentSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        double t = StreamTime(ptsSeconds);
        foreach (var rule in _rules)
        {
            EndEpisode(rule, rule.ZoneState, t, at, sink);
            foreach (var state in rule.PerTrack)
            {
                EndEpisode(rule, state, t, at, sink);
            }
        }

        for (int slot = 0; slot < _capacity; slot++)
        {
            _tracker.SetPinned(slot, false);
        }
    }

    /// <summary>Ends the key's incident if one is open (cooldown from now) and forgets the pending episode.</summary>
    private void EndEpisode(CompiledRule rule, IncidentState state, double t, DateTimeOffset at, IIncidentSink sink)
    {
        if (state.Open)
        {
            Emit(rule, state, IncidentTransition.Ended, t, at, sink);
            state.Open = false;
            state.CooldownUntil = t + rule.Cooldown;
        }

        state.EpisodeSince = double.NaN;
        state.LastTrue = double.NaN;
    }

    /// <summary>
    /// Stream time as the rules see it: the frame's pts, shifted forward if the source restarted and its
    /// pts jumped back, so that dwell and hold arithmetic never runs backwards.
    /// </summary>
    private double StreamTime(double pts)
    {
        if (!double.IsFinite(pts))
        {
            throw new ArgumentOutOfRangeException(nameof(pts), pts, "the frame timestamp must be a finite number of seconds");
        }

        double t = pts + _ptsOffset;
        if (!double.IsNaN(_lastPts))
        {
            if (t < _lastPts)
            {
                RulesLog.PtsWentBack(Logger, _cameraId, _lastPts - _ptsOffset, pts);
                _ptsOffset += _lastPts - t + _lastStep;
                t = pts + _ptsOffset;
            }
            else if (t > _lastPts)
            {
                _lastStep = t - _lastPts;
            }
        }

        _lastPts = t;
        return t;
    }

    private ReadOnlySpan<EdgeSentry.Detection.Detection> Unmasked(ReadOnlySpan<EdgeSentry.Detection.Detection> detections, int width, int height)
    {
        if (_masks.Length == 0)
        {
            return detections;
        }

        if (detections.Length > _kept.Length)
        {
            // Grows only when a frame has more detections than any before it; steady state allocates nothing.
            _kept = new EdgeSentry.Detection.Detection[Math.Max(detections.Length, _kept.Length * 2)];
        }

        int count = 0;
        foreach (ref readonly var d in detections)
        {
            double fx = (d.Box.X1 + d.Box.X2) * 0.5 / width, fy = d.Box.Y2 / (double)height;
            bool masked = false;
            foreach (var mask in _masks)
            {
                masked |= mask.Contains(fx, fy);
            }

            if (masked)
            {
                DetectionsMasked++;
            }
            else
            {
                _kept[count++] = d;
            }
        }

        return _kept.AsSpan(0, count);
    }

    private bool Passes(CompiledRule rule, int classId, float score, double width, double height) =>
        (uint)classId < (uint)rule.ClassAllowed.Length
        && rule.ClassAllowed[classId]
        && score >= rule.MinScore[classId]
        && width >= rule.MinWidth && height >= rule.MinHeight
        && width <= rule.MaxWidth && height <= rule.MaxHeight;

    /// <summary>A confirmed track seen this frame that the rule's class, score, size and zone filters accept.</summary>
    private bool Eligible(CompiledRule rule, in TrackedObject track, int slot) =>
        track.IsVisible
        && Passes(rule, track.ClassId, track.Score, _width[slot], _height[slot])
        && (rule.ZoneIndex < 0 || _inZone[(rule.ZoneIndex * _capacity) + slot]);

    private void EvaluateIntrusion(CompiledRule rule, bool armed, ReadOnlySpan<TrackedObject> tracks, double t, DateTimeOffset at, IIncidentSink sink)
    {
        var state = rule.ZoneState;
        int count = 0, best = -1;
        for (int slot = 0; armed && slot < tracks.Length; slot++)
        {
            if (Eligible(rule, tracks[slot], slot))
            {
                count++;
                if (best < 0 || tracks[slot].Score > tracks[best].Score)
                {
                    best = slot;
                }
            }
        }

        if (best >= 0)
        {
            ref readonly var track = ref tracks[best];
            state.SetSubject(track.ClassId, track.Score, track.Box, track.Id);
            state.Count = count;
        }

        Advance(rule, state, count > 0, double.NaN, rule.Severity, false, t, at, sink);
    }

    /// <summary>
    /// Crowds count this frame's detections, not confirmed tracks: identity does not matter for a head
    /// count, and in a dense crowd tracks are born and lost far more often than people come and go.
    /// </summary>
    private void EvaluateCrowd(CompiledRule rule, bool armed, ReadOnlySpan<EdgeSentry.Detection.Detection> detections, double t, DateTimeOffset at, IIncidentSink sink)
    {
        var state = rule.ZoneState;
        int count = 0, best = -1;
        for (int i = 0; armed && i < detections.Length; i++)
        {
            ref readonly var d = ref detections[i];
            double fx = (d.Box.X1 + d.Box.X2) * 0.5 / _frameWidth, fy = d.Box.Y2 / (double)_frameHeight;
            if (Passes(rule, d.ClassId, d.Score, d.Box.Width / (double)_frameWidth, d.Box.Height / (double)_frameHeight)
                && (rule.Zone is null || rule.Zone.Contains(fx, fy)))
            {
                count++;
                if (best < 0 || d.Score > detections[best].Score)
                {
                    best = i;
                }
            }
        }

        bool condition = count >= rule.MinCount;
        if (condition)
        {
            ref readonly var d = ref detections[best];
            state.SetSubject(d.ClassId, d.Score, d.Box, 0);
            state.Count = count;
        }

        Advance(rule, state, condition, double.NaN, rule.SeverityFor(count, t, TimeSlack), false, t, at, sink);
    }

    private void EvaluateLine(CompiledRule rule, bool armed, ReadOnlySpan<TrackedObject> tracks, double t, DateTimeOffset at, IIncidentSink sink)
    {
        var state = rule.ZoneState;
        var line = rule.Line!;
        if (!state.Open)
        {
            Array.Clear(rule.IncidentCounts);
        }

        bool crossed = false;
        for (int slot = 0; slot < tracks.Length; slot++)
        {
            ref readonly var track = ref tracks[slot];
            if (rule.AuxTrackId[slot] != track.Id)
            {
                rule.AuxTrackId[slot] = track.Id;
                rule.AuxFlags[slot] = 0;
                // Start from where the track was born, not where it was confirmed: a car confirmed only after
                // it crossed (a few frames as a tentative track) still counts its crossing.
                double bx = (track.BirthBox.X1 + track.BirthBox.X2) * 0.5 / _frameWidth;
                double by = track.BirthBox.Y2 / (double)_frameHeight;
                double birthSide = line.Side(bx, by);
                rule.AuxValue[slot] = Math.Abs(birthSide) < LineDeadBand ? 0 : Math.Sign(birthSide);
                rule.AuxX[slot] = bx;
                rule.AuxY[slot] = by;
            }

            if (track.Id == 0 || !Eligible(rule, track, slot))
            {
                continue;
            }

            double fx = _footX[slot], fy = _footY[slot];
            double side = line.Side(fx, fy);
            if (Math.Abs(side) < LineDeadBand)
            {
                continue;
            }

            double sign = Math.Sign(side);
            double lastSign = rule.AuxValue[slot];
            if (lastSign != 0 && sign != lastSign
                && PlaneGeometry.SegmentsIntersect(rule.AuxX[slot], rule.AuxY[slot], fx, fy, line.AX, line.AY, line.BX, line.BY))
            {
                // Each track counts at most once per direction, so an object dithering on the line counts once.
                int directionBit = sign > 0 ? 1 : 2;
                bool counted = line.HasDirection
                    ? ((fx - rule.AuxX[slot]) * line.DirectionX) + ((fy - rule.AuxY[slot]) * line.DirectionY) > 0
                    : true;
                if (counted && armed && (rule.AuxFlags[slot] & directionBit) == 0)
                {
                    rule.AuxFlags[slot] |= directionBit;
                    rule.LineTotals[track.ClassId]++;
                    rule.IncidentCounts[track.ClassId]++;
                    crossed = true;
                    state.SetSubject(track.ClassId, track.Score, track.Box, track.Id);
                }
            }

            rule.AuxValue[slot] = sign;
            rule.AuxX[slot] = fx;
            rule.AuxY[slot] = fy;
        }

        int total = 0;
        foreach (int c in rule.IncidentCounts)
        {
            total += c;
        }

        state.Count = total;
        Advance(rule, state, crossed, double.NaN, rule.Severity, crossed, t, at, sink);
    }

    private void EvaluatePerTrack(CompiledRule rule, bool armed, ReadOnlySpan<TrackedObject> tracks, double t, DateTimeOffset at, IIncidentSink sink)
    {
        for (int slot = 0; slot < tracks.Length; slot++)
        {
            ref readonly var track = ref tracks[slot];
            var state = rule.PerTrack[slot];
            if (state.OwnerTrackId != track.Id)
            {
                if (state.Open)
                {
                    // The owner died; its slot stays pinned until the incident's hold runs out.
                    Advance(rule, state, false, double.NaN, state.Severity, false, t, at, sink);
                    continue;
                }

                state.Reset(track.Id);
            }

            if (rule.AuxTrackId[slot] != track.Id)
            {
                rule.AuxTrackId[slot] = track.Id;
                rule.AuxFlags[slot] = 0;
            }

            if (track.Id == 0 && !state.Open)
            {
                continue;
            }

            bool eligible = armed && Eligible(rule, track, slot);
            bool condition;
            double since = double.NaN;
            switch (rule.Kind)
            {
                case RuleKind.Loitering:
                    if (eligible && !state.Open && double.IsNaN(state.EpisodeSince))
                    {
                        state = AdoptOrphanedIncident(rule, slot, tracks, state, t);
                    }

                    condition = eligible;
                    break;
                case RuleKind.Parking:
                    if (eligible && !state.Open && rule.AuxFlags[slot] == 0)
                    {
                        state = AdoptOrphanedIncident(rule, slot, tracks, state, t);
                    }

                    condition = Stopped(rule, slot, eligible, track.IsVisible, state.Open, t, out since);
                    break;
                default:
                    if (eligible && !state.Open && rule.AuxFlags[slot] == 0)
                    {
                        state = AdoptOrphanedIncident(rule, slot, tracks, state, t);
                    }

                    condition = AgainstDirection(rule, slot, eligible, track.IsVisible, t);
                    break;
            }

            if (condition)
            {
                state.SetSubject(track.ClassId, track.Score, track.Box, track.Id);
                state.Count = 1;
            }

            Advance(rule, state, condition, since, rule.Severity, false, t, at, sink);
        }
    }

    /// <summary>
    /// A parked car hidden (a bus in front) or a person standing at the gate who is occluded for longer
    /// than the tracker's lost time comes back as a new track. If the new track appears where an open
    /// incident's own track was last seen, and that track is gone or lost, it takes the incident over
    /// instead of starting a second one: one parked car, one lingering person, one incident.
    /// "Where" is the parking radius around the anchor, or for loitering half the person's box height
    /// around their last bottom-centre (scale-aware: far people are small). A wrong-way car lost mid-pass
    /// kept driving while unseen, so for wrong-way "where" is ahead of it on its wrong-way course: no
    /// further than it could have driven since last seen, at the speed of its pass so far.
    /// </summary>
    private IncidentState AdoptOrphanedIncident(CompiledRule rule, int slot, ReadOnlySpan<TrackedObject> tracks, IncidentState fresh, double t)
    {
        ref readonly var track = ref tracks[slot];
        for (int other = 0; other < tracks.Length; other++)
        {
            var open = rule.PerTrack[other];
            if (other == slot || !open.Open || open.ClassId != track.ClassId
                || (tracks[other].Id == open.OwnerTrackId && tracks[other].IsVisible))
            {
                continue;
            }

            bool near;
            if (rule.Kind == RuleKind.Parking)
            {
                double dx = _footX[slot] - rule.AuxX[other], dy = _footY[slot] - rule.AuxY[other];
                near = (dx * dx) + (dy * dy) <= rule.Radius * rule.Radius;
            }
            else if (rule.Kind == RuleKind.WrongWay)
            {
                near = AheadOnWrongWayCourse(rule, slot, other, open, t);
            }
            else
            {
                double dx = (_footX[slot] * _frameWidth) - ((open.Box.X1 + open.Box.X2) * 0.5);
                double dy = (_footY[slot] * _frameHeight) - open.Box.Y2;
                double reach = 0.5 * open.Box.Height;
                near = (dx * dx) + (dy * dy) <= reach * reach;
            }

            if (!near)
            {
                continue;
            }

            // Swap the two states (no allocation): the open incident moves to this slot and its pin with it.
            rule.PerTrack[slot] = open;
            rule.PerTrack[other] = fresh;
            fresh.Reset(tracks[other].Id);
            open.OwnerTrackId = track.Id;
            rule.AuxX[slot] = rule.AuxX[other];
            rule.AuxY[slot] = rule.AuxY[other];
            rule.AuxValue[slot] = rule.AuxValue[other];
            rule.AuxFlags[slot] = rule.AuxFlags[other];
            rule.AuxTrackId[slot] = track.Id;
            rule.AuxFlags[other] = 0;
            return open;
        }

        return fresh;
    }

    /// <summary>
    /// Parking: the bottom-centre stays within the radius of an anchor. Before the incident the anchor
    /// follows the object (a creeping car restarts the clock); once open it is frozen, so driving away ends it.
    /// A short loss of the track keeps the anchor: the car did not move while unseen.
    /// </summary>
    private bool Stopped(CompiledRule rule, int slot, bool eligible, bool visible, bool open, double t, out double since)
    {
        since = rule.AuxValue[slot];
        if (!eligible)
        {
            if (visible)
            {
                rule.AuxFlags[slot] = 0;
            }

            return false;
        }

        double fx = _footX[slot], fy = _footY[slot];
        double dx = fx - rule.AuxX[slot], dy = fy - rule.AuxY[slot];
        bool inside = rule.AuxFlags[slot] != 0 && ((dx * dx) + (dy * dy)) <= rule.Radius * rule.Radius;
        if (open)
        {
            return inside;
        }

        if (!inside)
        {
            rule.AuxX[slot] = fx;
            rule.AuxY[slot] = fy;
            rule.AuxValue[slot] = t;
            rule.AuxFlags[slot] = 1;
        }

        since = rule.AuxValue[slot];
        return true;
    }

    /// <summary>
    /// Whether the new track in <paramref name="slot"/> can be the car of the open wrong-way incident in
    /// <paramref name="other"/>, re-found after it was lost: its bottom-centre lies on the car's course
    /// (sideways within the car's size), not behind where the car was last seen (a following car would
    /// be), and not further ahead than the car could have driven since, at twice its average speed over
    /// the pass (it may have sped up while unseen).
    /// </summary>
    private bool AheadOnWrongWayCourse(CompiledRule rule, int slot, int other, IncidentState open, double t)
    {
        double lastX = (open.Box.X1 + open.Box.X2) * 0.5 / _frameWidth, lastY = open.Box.Y2 / (double)_frameHeight;
        double size = Math.Max(open.Box.Width / (double)_frameWidth, open.Box.Height / (double)_frameHeight);
        double dx = _footX[slot] - lastX, dy = _footY[slot] - lastY;
        double along = (dx * rule.DirectionX) + (dy * rule.DirectionY);
        double across = Math.Abs((dx * rule.DirectionY) - (dy * rule.DirectionX));

        // AuxValue: the furthest progress of the pass; AuxY: when the car entered the zone.
        double fallen = rule.AuxValue[other] - ((lastX * rule.DirectionX) + (lastY * rule.DirectionY));
        double speed = fallen / Math.Max(open.LastTrue - rule.AuxY[other], _lastStep);
        double reach = (2 * speed * (t - open.LastTrue)) + (0.5 * size);
        return across <= size && along <= 0.5 * size && -along <= reach;
    }

    /// <summary>
    /// Wrong way: how far the object has fallen back along the allowed direction from the furthest point
    /// it reached since entering the zone. Forward motion and jitter never add up to the minimum distance.
    /// </summary>
    private bool AgainstDirection(CompiledRule rule, int slot, bool eligible, bool visible, double t)
    {
        if (!eligible)
        {
            if (visible)
            {
                rule.AuxFlags[slot] = 0;
            }

            return false;
        }

        double progress = (_footX[slot] * rule.DirectionX) + (_footY[slot] * rule.DirectionY);
        if (rule.AuxFlags[slot] == 0)
        {
            rule.AuxFlags[slot] = 1;
            rule.AuxValue[slot] = progress;
            rule.AuxY[slot] = t;
        }
        else if (progress > rule.AuxValue[slot])
        {
            rule.AuxValue[slot] = progress;
        }

        return rule.AuxValue[slot] - progress >= rule.MinDistance;
    }

    /// <summary>
    /// The incident lifecycle shared by every rule. <paramref name="since"/> overrides the start of the
    /// condition (parking's anchor time); NaN means "since the current episode began".
    /// </summary>
    private void Advance(
        CompiledRule rule, IncidentState state, bool condition, double since, int severity, bool forceUpdate,
        double t, DateTimeOffset at, IIncidentSink sink)
    {
        if (condition)
        {
            if (double.IsNaN(state.EpisodeSince))
            {
                state.EpisodeSince = t;
            }

            state.LastTrue = t;
            double start = double.IsNaN(since) ? state.EpisodeSince : since;
            if (!state.Open)
            {
                if (t - start >= rule.Dwell - TimeSlack && t >= state.CooldownUntil - TimeSlack)
                {
                    state.Open = true;
                    state.Sequence = 0;
                    state.StartedPts = t;
                    state.StartedAt = at;
                    state.ConditionSince = start;
                    state.Peak = state.Count;
                    state.Severity = severity;
                    state.IncidentId = string.Create(CultureInfo.InvariantCulture,
                        $"{_cameraId}-{rule.Id}-{at.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{++_incidentCounter}");
                    Emit(rule, state, IncidentTransition.Started, t, at, sink);
                }

                return;
            }

            state.Peak = Math.Max(state.Peak, state.Count);
            if (severity > state.Severity)
            {
                state.Severity = severity;
                Emit(rule, state, IncidentTransition.Updated, t, at, sink);
            }
            else if (forceUpdate || (rule.Update > 0 && t - state.LastEventPts >= rule.Update - TimeSlack && rule.Kind != RuleKind.LineCrossing))
            {
                Emit(rule, state, IncidentTransition.Updated, t, at, sink);
            }

            return;
        }

        if (!double.IsNaN(state.LastTrue) && t - state.LastTrue >= rule.Hold - TimeSlack)
        {
            EndEpisode(rule, state, t, at, sink);
        }
    }

    private void Emit(CompiledRule rule, IncidentState state, IncidentTransition transition, double t, DateTimeOffset at, IIncidentSink sink)
    {
        state.Sequence++;
        state.LastEventPts = t;
        state.ReportedCount = state.Count;
        bool ended = transition == IncidentTransition.Ended;
        Dictionary<string, int>? classCounts = null;
        if (rule.Kind == RuleKind.LineCrossing)
        {
            classCounts = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int c = 0; c < rule.IncidentCounts.Length; c++)
            {
                if (rule.IncidentCounts[c] > 0)
                {
                    classCounts[_labels[c]] = rule.IncidentCounts[c];
                }
            }
        }

        sink.Publish(new IncidentEvent
        {
            IncidentId = state.IncidentId!,
            Sequence = state.Sequence,
            Transition = transition,
            Kind = rule.KindName,
            RuleId = rule.Id,
            CameraId = _cameraId,
            ZoneId = rule.Zone?.Id,
            LineId = rule.Line?.Id,
            Severity = state.Severity,
            ClassId = state.ClassId,
            Label = (uint)state.ClassId < (uint)_labels.Count ? _labels[state.ClassId] : state.ClassId.ToString(CultureInfo.InvariantCulture),
            Score = state.Score,
            Box = state.Box,
            TrackId = state.TrackId == 0 ? null : state.TrackId,
            ObjectCount = state.Count,
            StartedPtsSeconds = state.StartedPts,
            PtsSeconds = t,
            StartedAt = state.StartedAt,
            At = at,
            FrameWidth = _frameWidth,
            FrameHeight = _frameHeight,
            DurationSeconds = ended ? state.LastTrue - state.ConditionSince : null,
            PeakObjectCount = ended ? state.Peak : null,
            ClassCounts = classCounts,
        });
    }
}
