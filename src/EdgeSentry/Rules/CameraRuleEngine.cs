using EdgeSentry.Tracking;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Rules;

/// <summary>
/// Everything after detection for one camera, as four stages: mask (<see cref="DetectionMask"/>) →
/// track (<see cref="TrackingStage"/>) → evaluate rules (<see cref="RuleSet"/>, one evaluator per rule)
/// → incident lifecycle (<see cref="IncidentLifecycle"/>, shared by every kind). Single-threaded: the
/// camera's pipeline calls <see cref="Process"/> once per processed frame, in frame order, and the sink
/// hears every incident transition synchronously. All timing is stream time (pts seconds), never frame
/// counts; wall time only labels events and drives schedules. The per-frame path allocates nothing
/// unless an incident transition is emitted.
/// </summary>
/// <remarks>
/// Incident keys (dedupe): intrusion, crowd = camera x rule (x its zone); line-crossing = camera x rule
/// (x its line); loitering, parking, wrong-way = camera x rule x track (a new track standing where an open
/// loitering/parking incident's track vanished, or a car re-found further along an open wrong-way
/// incident's course, takes that incident over).
/// Objects are tracks the tracker has confirmed and matched in this frame, except for crowds, which
/// count this frame's detections. Zone membership is the box's bottom-centre.
/// </remarks>
public sealed class CameraRuleEngine
{
    private readonly string _cameraId;
    private readonly StreamClock _clock;
    private readonly DetectionMask _mask;
    private readonly TrackingStage _tracking;
    private readonly RuleSet _rules;
    private readonly CameraRuleContext _context;
    private ILogger _logger = NullLogger.Instance;

    /// <summary>With ByteTrack's default score levels (no model manifest at hand: tests, benchmarks).</summary>
    public CameraRuleEngine(string cameraId, CameraRulesDefinition definition, IReadOnlyList<string> labels, TimeProvider timeProvider)
        : this(cameraId, definition, labels, timeProvider, new TrackerOptions(), static options => new ByteTracker(options))
    {
    }

    /// <summary>As the public constructor, with the tracker chosen by the caller (tracker comparisons, tests).</summary>
    public CameraRuleEngine(
        string cameraId, CameraRulesDefinition definition, IReadOnlyList<string> labels, TimeProvider timeProvider,
        Func<TrackerOptions, IObjectTracker> trackerFactory)
        : this(cameraId, definition, labels, timeProvider, new TrackerOptions(), trackerFactory)
    {
    }

    /// <param name="trackerDefaults">The model's tracker levels (<see cref="TrackerOptions.ForModel"/>); the camera's <c>tracker</c> block overrides them.</param>
    /// <param name="trackerFactory">Null for a <see cref="ByteTracker"/>.</param>
    public CameraRuleEngine(
        string cameraId, CameraRulesDefinition definition, IReadOnlyList<string> labels, TimeProvider timeProvider,
        TrackerOptions trackerDefaults, Func<TrackerOptions, IObjectTracker>? trackerFactory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(cameraId);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(trackerDefaults);
        trackerFactory ??= static options => new ByteTracker(options);

        var errors = new List<string>();
        definition.Validate(cameraId, labels, errors);
        if (errors.Count > 0)
        {
            throw new ArgumentException($"camera '{cameraId}' has invalid rules:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", errors)}", nameof(definition));
        }

        _cameraId = cameraId;
        TrackerOptions = ToTrackerOptions(definition.Tracker, trackerDefaults);
        _clock = new StreamClock(cameraId);
        _mask = new DetectionMask(definition.Masks.Select(z => new CompiledZone(z)).ToArray());
        _tracking = new TrackingStage(cameraId, trackerFactory(TrackerOptions));
        _context = new CameraRuleContext(cameraId, labels, _tracking.Capacity);
        _rules = new RuleSet(definition, _context, timeProvider.LocalTimeZone);
    }

    public string CameraId => _cameraId;

    /// <summary>
    /// The edge's id, the first part of every incident id this engine mints (<c>{edgeId}:{cameraId}-{ruleId}-...</c>),
    /// so incidents of two boxes that reuse camera and rule ids never share an id (nor an incident state topic, nor a
    /// unit's acknowledgement). Null: ids without it, for an engine run alone (tests, benchmarks).
    /// </summary>
    public string? EdgeId
    {
        get => _context.EdgeId;
        init
        {
            // ':' separates the edge id in the incident id; the rest would break the incident state topic level.
            if (value is not null && (value.Length == 0 || value.AsSpan().IndexOfAny(":/+#\0") >= 0))
            {
                throw new ArgumentException($"edge id '{value}' cannot start an incident id (empty, or contains ':', '/', '+', '#' or NUL)", nameof(value));
            }

            _context.EdgeId = value;
        }
    }

    /// <summary>For state changes only (tracker full, pts went back, schedules arming); never called per frame.</summary>
    public ILogger Logger
    {
        get => _logger;
        init
        {
            _logger = value;
            _clock.Logger = value;
            _tracking.Logger = value;
            _rules.Logger = value;
        }
    }

    public TrackerOptions TrackerOptions { get; }

    /// <summary>The camera's tracker (its slot table is valid after each <see cref="Process"/>).</summary>
    public IObjectTracker Tracker => _tracking.Tracker;

    /// <summary>Detections dropped because their bottom-centre lay in a mask.</summary>
    public long DetectionsMasked => _mask.Masked;

    /// <summary>Line-crossing rule <paramref name="ruleId"/>: crossings of class <paramref name="classId"/> since the engine started.</summary>
    public int LineCrossings(string ruleId, int classId) =>
        (_rules.FindLine(ruleId) ?? throw new ArgumentException($"no enabled line-crossing rule '{ruleId}' on camera '{_cameraId}'", nameof(ruleId)))
            .Total(classId);

    /// <summary>The camera's <c>tracker</c> block over the model's defaults: what the camera sets wins.</summary>
    public static TrackerOptions ToTrackerOptions(TrackerDefinition? d, TrackerOptions modelDefaults)
    {
        ArgumentNullException.ThrowIfNull(modelDefaults);
        return d is null
            ? modelDefaults
            : modelDefaults with
            {
                HighScore = d.HighScore is { } high ? (float)high : modelDefaults.HighScore,
                LowScore = d.LowScore is { } low ? (float)low : modelDefaults.LowScore,
                NewTrackScore = d.NewTrackScore is { } birth ? (float)birth : modelDefaults.NewTrackScore,
                MatchIou = (float)d.MatchIou,
                MinHits = d.MinHits,
                LostSeconds = d.LostSeconds,
                MaxTracks = d.MaxTracks,
            };
    }

    public void Process(
        ReadOnlySpan<EdgeSentry.Detection.Detection> detections, int frameWidth, int frameHeight,
        double ptsSeconds, DateTimeOffset capturedAt, IIncidentSink sink)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameHeight);
        ArgumentNullException.ThrowIfNull(sink);
        double t = _clock.ToStreamTime(ptsSeconds);

        var kept = _mask.Apply(detections, frameWidth, frameHeight);
        _tracking.Update(kept, t);
        _rules.Evaluate(kept, _tracking.Tracks, frameWidth, frameHeight, t, _clock.Step, capturedAt, sink);
        _tracking.Pin(_rules.Pinned);
    }

    /// <summary>Ends every open incident now (shutdown, camera removed) and forgets pending ones.</summary>
    public void Flush(double ptsSeconds, DateTimeOffset at, IIncidentSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        double t = _clock.ToStreamTime(ptsSeconds);
        _rules.Flush(t, _clock.Step, at, sink);
        _tracking.Pin(_rules.Pinned);
    }
}
