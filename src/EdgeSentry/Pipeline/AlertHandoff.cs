using System.Numerics;
using System.Threading.Channels;
using EdgeSentry.Alerts;
using EdgeSentry.Capture;
using EdgeSentry.Diagnostics;
using EdgeSentry.Rules;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Pipeline;

/// <summary>
/// The lossless hand-over from the cameras' rules to the broker. Started incidents get their snapshot
/// rendered while the frame is still owned by the worker; every transition is queued (bounded: a full
/// queue makes detection wait, it never drops) and published in order by one sender that retries until
/// the broker acknowledges.
/// </summary>
public sealed class AlertHandoff : IIncidentHandler, IDisposable
{
    private readonly AlertPublisher _publisher;
    private readonly IReadOnlyDictionary<(string Camera, string Zone), Vector2[]> _zones;
    private readonly SnapshotRenderer _renderer;
    private readonly Lock _renderGate = new();
    private readonly Channel<(IncidentEvent Incident, IncidentSnapshot? Snapshot)> _queue;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EdgeSentryMetrics? _metrics;
    private long _published;
    private long _retries;

    public AlertHandoff(AlertPublisher publisher, IReadOnlyDictionary<(string Camera, string Zone), Vector2[]> zones, int maxFrameWidth, int maxFrameHeight, TimeProvider timeProvider, ILogger logger, EdgeSentryMetrics? metrics = null, int capacity = 10_000)
    {
        _publisher = publisher;
        _zones = zones;
        _renderer = new SnapshotRenderer(maxFrameWidth, maxFrameHeight);
        _queue = Channel.CreateBounded<(IncidentEvent, IncidentSnapshot?)>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _time = timeProvider;
        _logger = logger;
        _metrics = metrics;
    }

    public long Published => Interlocked.Read(ref _published);
    public long Retries => Interlocked.Read(ref _retries);
    public int Queued => _queue.Reader.Count;

    /// <summary>Raised after the broker acknowledged a transition (tests and stats).</summary>
    public event Action<IncidentEvent>? Acknowledged;

    public async ValueTask HandleAsync(IncidentEvent incident, Frame? frame, CancellationToken cancellationToken)
    {
        IncidentSnapshot? snapshot = null;
        if (incident.Transition == IncidentTransition.Started && frame is not null)
        {
            snapshot = RenderSnapshot(incident, frame);
        }

        _metrics?.Incidents.Add(1);
        await _queue.Writer.WriteAsync((incident, snapshot), cancellationToken);
    }

    private IncidentSnapshot? RenderSnapshot(IncidentEvent incident, Frame frame)
    {
        var zone = incident.ZoneId is { } z && _zones.TryGetValue((incident.CameraId, z), out var poly) ? poly : [];
        ReadOnlySpan<SnapshotBox> boxes = [new SnapshotBox(incident.Box, BgrColor.Red)];
        try
        {
            lock (_renderGate)
            {
                return _renderer.Render(frame.Image, boxes, zone, BgrColor.Yellow);
            }
        }
        catch (ArgumentException e)
        {
            // A frame larger than the renderer was sized for: the alert still goes out, without picture.
            PipelineLog.SnapshotFailed(_logger, incident.CameraId, e.Message);
            return null;
        }
    }

    /// <summary>No more transitions will come; <see cref="RunAsync"/> ends once the queue is sent.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>Sends queued transitions in order until <see cref="Complete"/> and the queue is empty, or cancellation.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryPeek(out var item))
            {
                await SendUntilAcknowledgedAsync(item.Incident, item.Snapshot, cancellationToken);
                reader.TryRead(out _);
            }
        }
    }

    private async Task SendUntilAcknowledgedAsync(IncidentEvent incident, IncidentSnapshot? snapshot, CancellationToken cancellationToken)
    {
        // Built once so a retry carries the same message id: receivers drop the duplicate.
        var message = _publisher.Build(incident, snapshot);
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                await _publisher.PublishAsync(message, cancellationToken);
                Interlocked.Increment(ref _published);
                _metrics?.AlertLatency.Record((_time.GetUtcNow() - incident.At).TotalMilliseconds);
                Acknowledged?.Invoke(incident);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _retries);
                _metrics?.PublishFailures.Add(1);
                PipelineLog.PublishRetry(_logger, incident.IncidentId, incident.Sequence, delay, e.Message);
                await Task.Delay(delay, _time, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }
    }

    public void Dispose() => _renderer.Dispose();
}
