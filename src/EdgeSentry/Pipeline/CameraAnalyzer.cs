using EdgeSentry.Capture;
using EdgeSentry.Rules;

namespace EdgeSentry.Pipeline;

/// <summary>
/// Per camera, after detection: mask → track → evaluate rules → incident lifecycle (the stages of
/// <see cref="CameraRuleEngine.Process"/>, synchronous and allocation-free), then every incident
/// transition to the alert path, in order, while the frame is still readable.
/// </summary>
public sealed class CameraAnalyzer : IFrameAnalyzer, IIncidentSink
{
    private readonly CameraRuleEngine _engine;
    private readonly IIncidentHandler _handler;
    private readonly TimeProvider _time;
    private readonly Diagnostics.EdgeSentryMetrics? _metrics;
    // Reused per frame: the engine reports transitions synchronously, they are handed on asynchronously.
    private readonly List<IncidentEvent> _pending = new(16);
    private double _lastPts;

    public CameraAnalyzer(CameraRuleEngine engine, IIncidentHandler handler, TimeProvider timeProvider, Diagnostics.EdgeSentryMetrics? metrics = null)
    {
        _engine = engine;
        _handler = handler;
        _time = timeProvider;
        _metrics = metrics;
    }

    /// <summary>Frame captured → incident committed to the outbox, milliseconds, last 512 transitions.</summary>
    public Diagnostics.LatencyWindow AlertLatency { get; } = new();

    public long IncidentTransitions { get; private set; }

    /// <summary>Operator page (issue 13): scores for the detector view, a drawn frame only while someone watches.</summary>
    public Operator.CameraTap? Tap { get; set; }

    public async ValueTask AnalyzeAsync(Frame frame, ReadOnlyMemory<Detection.Detection> detections, CancellationToken cancellationToken)
    {
        _pending.Clear();
        _lastPts = frame.PtsSeconds;
        _engine.Process(detections.Span, frame.Width, frame.Height, frame.PtsSeconds, frame.CapturedAt, this);
        Tap?.Observe(frame, detections.Span, _engine.Tracker.Tracks); // operator page tap (issue 13)
        for (int i = 0; i < _pending.Count; i++)
        {
            IncidentTransitions++;
            await _handler.HandleAsync(_pending[i], frame, cancellationToken);
            double ms = _time.GetElapsedTime(frame.CapturedTimestamp).TotalMilliseconds;
            AlertLatency.Record(ms);
            _metrics?.AlertLatency.Record(ms / 1000.0);
        }
    }

    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        _pending.Clear();
        _engine.Flush(_lastPts, _time.GetUtcNow(), this);
        foreach (var incident in _pending)
        {
            IncidentTransitions++;
            await _handler.HandleAsync(incident, null, cancellationToken);
        }
    }

    void IIncidentSink.Publish(IncidentEvent incident) => _pending.Add(incident);
}
