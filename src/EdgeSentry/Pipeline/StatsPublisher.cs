using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Capture;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Pipeline;

/// <summary>
/// The edge's stats on its stats topic (<see cref="AlertTopics.EdgeStats"/>) every interval: per camera frames decoded, dropped and
/// analysed, reconnects, frame age and inference percentiles, detection rates; the node's totals and process figures.
/// </summary>
public sealed class StatsPublisher
{
    private readonly AlertPublisher _publisher;
    private readonly CameraSet _cameras;
    private readonly DetectionScheduler _scheduler;
    private readonly AlertHandoff _alerts;
    private readonly AlertOutbox _outbox;
    private readonly string _edgeId;
    private readonly TimeSpan _interval;
    private readonly bool _measureLiveHeap;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="measureLiveHeap">Soak checks only: a full, compacting GC before each sample (see the configuration key).</param>
    public StatsPublisher(
        AlertPublisher publisher,
        CameraSet cameras,
        DetectionScheduler scheduler,
        AlertHandoff alerts,
        AlertOutbox outbox,
        string edgeId,
        TimeSpan interval,
        bool measureLiveHeap,
        TimeProvider timeProvider,
        ILogger logger)
    {
        _publisher = publisher;
        _cameras = cameras;
        _scheduler = scheduler;
        _alerts = alerts;
        _outbox = outbox;
        _edgeId = edgeId;
        _interval = interval;
        _measureLiveHeap = measureLiveHeap;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>Publishes one sample per interval until cancelled; a failed publish is logged and the next one tried.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        string topic = AlertTopics.EdgeStats(_edgeId);
        var rates = new DetectionRates(_time);
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(_interval, _time, cancellationToken);
            var stats = Sample(rates);
            try
            {
                await _publisher.Connection.PublishAsync(topic, JsonSerializer.SerializeToUtf8Bytes(stats, StatusJson.Default.EdgeStatsPayload), 0, retain: false, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                PipelineLog.StatusNotPublished(_logger, "stats", e.Message);
            }
        }
    }

    private EdgeStatsPayload Sample(DetectionRates rates)
    {
        double seconds = rates.Begin();
        var cameras = _cameras.Current.Select(c => new CameraStatsPayload(
                c.Options.Id, c.Source.State.ToWire(), c.Source.FramesDecoded, c.Slot.Dropped, c.Lane.Processed,
                c.Source.Reconnects, c.Source.Stalls, Round(c.Lane.FrameAge.Percentile(50)), Round(c.Lane.FrameAge.Percentile(99)),
                Round(c.Lane.Inference.Percentile(50)))
            {
                DetectionPolicy = (c.Options.Detection ?? new()).Policy,
                FramesSkipped = c.Lane.Gate?.FramesSkipped ?? 0,
                MotionFraction = Math.Round(c.Lane.Gate?.MotionFraction ?? 0, 4),
                DetectionsPerSecond = rates.PerSecond(c.Options.Id, c.Lane.Processed, seconds),
            }).ToList();
        return new EdgeStatsPayload(
            _edgeId,
            _time.GetUtcNow().UtcDateTime.ToString("O"),
            _scheduler.FramesProcessed,
            _alerts.Stored,
            _outbox.Depth,
            ProcessStatsPayload.Sample(_measureLiveHeap),
            cameras)
        {
            DetectionsPerSecond = Math.Round(cameras.Sum(c => c.DetectionsPerSecond), 2),
            FramesSkipped = cameras.Sum(c => c.FramesSkipped),
        };
    }

    private static double Round(double v) => double.IsNaN(v) ? 0 : Math.Round(v, 1);
}
