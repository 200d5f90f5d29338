using System.Numerics;
using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Capture;
using EdgeSentry.Cli;
using EdgeSentry.Configuration;
using EdgeSentry.Demo;
using EdgeSentry.Detection;
using EdgeSentry.Diagnostics;
using EdgeSentry.Rules;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Pipeline;

/// <summary>
/// One edge box: its cameras, the shared detector, the rules and the alert path, wired from a
/// validated configuration. Start-up faults (model, broker, demo peers) surface from
/// <see cref="RunAsync"/> before any camera starts; a failing camera only affects itself.
/// </summary>
public sealed class EdgeNode
{
    private readonly EdgeSentryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly EdgeSentryMetrics? _metrics;
    private readonly List<CameraRuntime> _cameras = [];

    public EdgeNode(EdgeSentryOptions options, TimeProvider timeProvider, ILoggerFactory loggerFactory, EdgeSentryMetrics? metrics = null)
    {
        _options = options;
        _time = timeProvider;
        _loggers = loggerFactory;
        _logger = loggerFactory.CreateLogger<EdgeNode>();
        _metrics = metrics;
    }

    public IReadOnlyList<CameraRuntime> Cameras => _cameras;
    public AlertHandoff? Alerts { get; private set; }
    public DetectionScheduler? Scheduler { get; private set; }

    /// <summary>Completes when everything is running (tests wait on it).</summary>
    public Task Started => _started.Task;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        await using var peers = new PeerSet();
        try
        {
            await StartDemoPeersAsync(peers, stoppingToken);

            // The model is opened first: a missing or corrupt model stops start-up with its own message.
            var detectorOptions = ServiceComposition.Detector(_options.Detector);
            var first = OnnxObjectDetector.Open(_options.Detector.Model, detectorOptions, _loggers.CreateLogger<OnnxObjectDetector>());
            var labels = first.Labels;

            var builder = new IncidentMessageBuilder(_options.EdgeId, _options.Cameras.Select(c => new AlertCamera(c.Id, c.Name ?? c.Id, c.GridId)), _time);
            await using var publisher = new AlertPublisher(ServiceComposition.Mqtt(_options), builder, _time, _loggers);
            await publisher.StartAsync(stoppingToken);

            var zones = new Dictionary<(string, string), Vector2[]>();
            foreach (var c in _options.Cameras)
            {
                foreach (var z in c.Analytics.Zones)
                {
                    zones[(c.Id, z.Id)] = z.Polygon.Select(p => new Vector2((float)p[0], (float)p[1])).ToArray();
                }
            }

            using var alerts = new AlertHandoff(publisher, zones, 1920, 1088, _time, _loggers.CreateLogger<AlertHandoff>(), _metrics);
            Alerts = alerts;
            alerts.Acknowledged += i => PipelineLog.Incident(_logger, i.IncidentId, i.Transition.ToString().ToLowerInvariant(), i.Kind, i.CameraId, i.Label, i.ZoneId);
            using var alertStop = new CancellationTokenSource();
            var sending = alerts.RunAsync(alertStop.Token);

            var scheduler = new DetectionScheduler(
                worker => worker == 0 ? first : OnnxObjectDetector.Open(_options.Detector.Model, detectorOptions),
                _options.Detector.Workers, _time, _loggers.CreateLogger<DetectionScheduler>(), _metrics);
            Scheduler = scheduler;

            using var cameraStop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var cameraTasks = new List<Task>();
            foreach (var c in _options.Cameras)
            {
                var runtime = CreateCamera(c, labels, publisher, alerts, scheduler);
                _cameras.Add(runtime);
                cameraTasks.Add(RunCameraAsync(runtime, cameraStop.Token));
            }

            using var detectStop = new CancellationTokenSource();
            var detecting = scheduler.RunAsync(detectStop.Token);
            var stats = PublishStatsAsync(publisher, stoppingToken);
            PipelineLog.Running(_logger, _options.EdgeId, _cameras.Count, Path.GetFileName(_options.Detector.Model), $"{_options.Mqtt.Host}:{_options.Mqtt.Port}");
            _started.TrySetResult();

            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                // Graceful stop requested: fall through to the orderly shutdown below.
            }

            // Orderly stop: cameras first, then let detection finish what it took, close open incidents,
            // send every queued alert, and leave "stopped" behind.
            await cameraStop.CancelAsync();
            await Task.WhenAll(cameraTasks);
            await detectStop.CancelAsync();
            await detecting;
            foreach (var cam in _cameras)
            {
                cam.Lane.Dispose();
                await cam.Analyzer.CompleteAsync(CancellationToken.None);
                cam.Slot.Dispose();
            }

            PipelineLog.Draining(_logger, alerts.Queued);
            alerts.Complete();
            alertStop.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                await sending;
            }
            catch (OperationCanceledException)
            {
                // Broker gone at shutdown: what is still queued is lost with this process (the durable outbox keeps it).
            }

            try
            {
                await stats;
            }
            catch (OperationCanceledException)
            {
                // The stats loop ends with the stop token.
            }

            await publisher.StopAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            _started.TrySetException(e);
            throw;
        }
    }

    private async Task StartDemoPeersAsync(PeerSet peers, CancellationToken cancellationToken)
    {
        if (_options.Demo is not { } demo)
        {
            return;
        }

        if (demo.StartBroker && _options.Mqtt.Host is "127.0.0.1" or "localhost")
        {
            if (LocalPeer.PortAccepts(_options.Mqtt.Port))
            {
                PipelineLog.DemoPeer(_logger, "existing broker", _options.Mqtt.Port);
            }
            else
            {
                peers.Add(await DemoPeers.StartMosquittoAsync(_options.Mqtt.Port, cancellationToken));
                PipelineLog.DemoPeer(_logger, "mosquitto", _options.Mqtt.Port);
            }
        }

        if (demo.RtspServer is { Clips.Count: > 0 } rtsp)
        {
            if (LocalPeer.PortAccepts(rtsp.Port))
            {
                throw new InvalidOperationException($"demo RTSP server: port 127.0.0.1:{rtsp.Port} is already in use (set demo.rtspServer.port)");
            }

            string script = Path.Combine(ConfigLoader.SharedDirectory(), "tools", "rtsp_serve.py");
            peers.Add(await DemoPeers.StartRtspServerAsync(script, rtsp.Port, rtsp.Clips, loop: true, cancellationToken));
            PipelineLog.DemoPeer(_logger, "RTSP server", rtsp.Port);
        }
    }

    private CameraRuntime CreateCamera(CameraOptions c, IReadOnlyList<string> labels, AlertPublisher publisher, AlertHandoff alerts, DetectionScheduler scheduler)
    {
        var slot = new FreshestFrameSlot(c.Id);
        var source = new CameraSource(
            new CameraSourceOptions
            {
                CameraId = c.Id,
                Input = new CameraInput
                {
                    Location = c.Url,
                    Transport = c.Transport,
                    Loop = c.Loop,
                    Realtime = c.Realtime,
                    ExtraInputArguments = c.DecoderInputArguments,
                },
                MaxDecodeWidth = c.MaxDecodeWidth,
                MaxFps = c.MaxFps,
                StallTimeout = TimeSpan.FromSeconds(c.StallSeconds),
            },
            slot, _time, _loggers.CreateLogger<CameraSource>());
        var engine = new CameraRuleEngine(c.Id, c.Analytics, labels, _time);
        var analyzer = new CameraAnalyzer(engine, alerts, _time);
        var lane = scheduler.Register(slot, analyzer);
        var runtime = new CameraRuntime(c, source, slot, analyzer, lane);
        string topic = $"{AlertTopics.Root}/cameras/{c.Id}/status";
        source.StateChanged += (s, state, reason) => _ = PublishCameraStateAsync(publisher, topic, c.Id, state, reason);
        source.FrameDecoded += _ => _metrics?.FramesDecoded.Add(1);
        return runtime;
    }

    private async Task RunCameraAsync(CameraRuntime camera, CancellationToken cancellationToken)
    {
        try
        {
            await camera.Source.RunAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A camera's own fault (not a shutdown) must not stop the others: it is logged and the camera is out.
            PipelineLog.CameraFailed(_logger, camera.Options.Id, e);
        }
    }

    private async Task PublishCameraStateAsync(AlertPublisher publisher, string topic, string cameraId, CameraState state, string? reason)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new CameraStatusPayload(cameraId, state.ToWire(), reason is null ? null : UrlRedactor.Redact(reason), _time.GetUtcNow().UtcDateTime.ToString("O")), StatusJson.Default.CameraStatusPayload);
        try
        {
            await publisher.Connection.PublishAsync(topic, payload, 1, retain: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Retained status is refreshed on the next change; a lost one is not an incident.
            PipelineLog.StatusNotPublished(_logger, cameraId, e.Message);
        }
    }

    private async Task PublishStatsAsync(AlertPublisher publisher, CancellationToken cancellationToken)
    {
        string topic = $"{AlertTopics.Root}/edges/{_options.EdgeId}/stats";
        var interval = TimeSpan.FromSeconds(_options.StatsIntervalSeconds);
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(interval, _time, cancellationToken);
            var stats = new EdgeStatsPayload(
                _options.EdgeId,
                _time.GetUtcNow().UtcDateTime.ToString("O"),
                Scheduler?.FramesProcessed ?? 0,
                Alerts?.Published ?? 0,
                Alerts?.Queued ?? 0,
                _cameras.Select(c => new CameraStatsPayload(
                    c.Options.Id, c.Source.State.ToWire(), c.Source.FramesDecoded, c.Slot.Dropped, c.Lane.Processed,
                    c.Source.Reconnects, c.Source.Stalls, Math.Round(c.Lane.LastFrameAgeMs, 1), Math.Round(c.Lane.LastInferenceMs, 2))).ToList());
            try
            {
                await publisher.Connection.PublishAsync(topic, JsonSerializer.SerializeToUtf8Bytes(stats, StatusJson.Default.EdgeStatsPayload), 0, retain: false, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                PipelineLog.StatusNotPublished(_logger, "stats", e.Message);
            }
        }
    }

    /// <summary>Child processes started for the demo, stopped with the node.</summary>
    private sealed class PeerSet : IAsyncDisposable
    {
        private readonly List<LocalPeer> _peers = [];

        public void Add(LocalPeer peer) => _peers.Add(peer);

        public async ValueTask DisposeAsync()
        {
            foreach (var p in _peers)
            {
                await p.DisposeAsync();
            }
        }
    }
}

public sealed record CameraRuntime(CameraOptions Options, CameraSource Source, FreshestFrameSlot Slot, CameraAnalyzer Analyzer, DetectionScheduler.CameraLane Lane);
