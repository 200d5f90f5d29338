using System.Numerics;
using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Capture;
using EdgeSentry.Configuration;
using EdgeSentry.Demo;
using EdgeSentry.Detection;
using EdgeSentry.Diagnostics;
using EdgeSentry.Motion;
using EdgeSentry.Routing;
using EdgeSentry.Rules;
using EdgeSentry.Tracking;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Pipeline;

/// <summary>
/// One edge box: its cameras, the shared detector, the rules and the alert path, wired from a
/// validated configuration. Start-up faults (model, broker, demo peers) surface from
/// <see cref="RunAsync"/> before any camera starts; a failing camera only affects itself.
/// </summary>
public sealed class EdgeNode : IDisposable
{
    private readonly EdgeSentrySection _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly EdgeSentryMetrics? _metrics;
    private readonly System.Diagnostics.Metrics.IMeterFactory? _meterFactory;
    private readonly Dictionary<string, CameraRuntime> _cameras = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Camera, string Zone), Vector2[]> _zones = new();
    private readonly SemaphoreSlim _reconfigure = new(1, 1);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IReadOnlyList<string> _labels = [];
    private TrackerOptions _trackerDefaults = new();
    private AlertPublisher? _publisher;
    private IncidentMessageBuilder? _builder;
    private GridMap? _grid;
    private IncidentRouter? _router;
    private CancellationToken _stopping;

    public EdgeNode(EdgeSentrySection options, TimeProvider timeProvider, ILoggerFactory loggerFactory, EdgeSentryMetrics? metrics = null, System.Diagnostics.Metrics.IMeterFactory? meterFactory = null, Supervisor? supervisor = null)
    {
        Supervisor = supervisor ?? new Supervisor(timeProvider, loggerFactory.CreateLogger<Supervisor>(), metrics);
        _meterFactory = meterFactory;
        _options = options;
        _time = timeProvider;
        _loggers = loggerFactory;
        _logger = loggerFactory.CreateLogger<EdgeNode>();
        _metrics = metrics;
    }

    /// <summary>Runs every long-running loop of the node (see its policy); health reads its state.</summary>
    public Supervisor Supervisor { get; }

    /// <summary>
    /// Wraps each detector the node opens (worker sessions and their watchdog replacements). For fault injection
    /// in tests and for diagnostics; set before <see cref="RunAsync"/>.
    /// </summary>
    public Func<IObjectDetector, IObjectDetector>? DetectorDecorator { get; set; }

    /// <summary>A snapshot of the running cameras.</summary>
    public IReadOnlyList<CameraRuntime> Cameras
    {
        get
        {
            lock (_cameras)
            {
                return [.. _cameras.Values];
            }
        }
    }

    /// <summary>Operator page (issue 13): camera taps and the incident feed; null without the HTTP host.</summary>
    public Operator.OperatorHub? OperatorPage { get; init; }

    public AlertHandoff? Alerts { get; private set; }
    /// <summary>The alert publisher once started: health reads its connection and hooks the retained status.</summary>
    public AlertPublisher? Publisher => _publisher;
    public AlertOutbox? Outbox { get; private set; }
    public DetectionScheduler? Scheduler { get; private set; }

    /// <summary>Completes when everything is running (tests wait on it); faults with the start-up error.</summary>
    public Task Started => _started.Task;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        await using var peers = new PeerSet();
        try
        {
            await StartDemoPeersAsync(peers, stoppingToken);

            // The model is opened first: a missing or corrupt model stops start-up with its own message.
            var detectorOptions = OptionsMapping.Detector(_options.Detector);
            var first = OnnxObjectDetector.Open(_options.Detector.Model, detectorOptions, _loggers.CreateLogger<OnnxObjectDetector>());
            _labels = first.Labels;
            _trackerDefaults = TrackerOptions.ForModel(first.Manifest.TrackBirth);

            if (_options.Routing is { } routing)
            {
                _grid = GridMap.Load(routing.GridMap, routing.NeighbourDistanceMetres);
            }

            _builder = new IncidentMessageBuilder(_options.EdgeId, _options.Cameras.Select(ToAlertCamera), _time);
            var outboxDir = Path.GetDirectoryName(Path.GetFullPath(_options.Outbox.Path));
            if (outboxDir is not null)
            {
                Directory.CreateDirectory(outboxDir);
            }

            await using var outbox = AlertOutbox.Open(
                new OutboxOptions
                {
                    DatabasePath = _options.Outbox.Path,
                    MaxMessages = _options.Outbox.MaxMessages,
                    MaxAge = TimeSpan.FromHours(_options.Outbox.MaxAgeHours),
                    SurvivePowerLoss = _options.Outbox.SurvivePowerLoss,
                },
                _time, _loggers.CreateLogger<AlertOutbox>(), _meterFactory);
            Outbox = outbox;
            // With the outbox the service starts even while the broker is down (alerts wait on disk); the
            // connection logs which host:port it cannot reach and keeps trying.
            await using var publisher = new AlertPublisher(OptionsMapping.Mqtt(_options), _builder, outbox, _time, _loggers, _meterFactory);
            _publisher = publisher;
            await publisher.StartAsync(stoppingToken);
            using var sendStop = new CancellationTokenSource();
            var sending = Supervisor.RunAsync("outbox-sender", publisher.RunAsync, mayComplete: false, sendStop.Token);

            using var router = _grid is null ? null : CreateRouter(_grid, _options.Routing!, outbox);
            _router = router;
            var routingTask = router is null ? Task.CompletedTask
                : Supervisor.RunAsync("routing", ct => router.RunAsync(publisher.Connection, ct, Supervisor.ItemFaulted), mayComplete: false, sendStop.Token);
            using var alerts = new AlertHandoff(new IncidentDispatcher(_builder, outbox, router), _zones, _loggers.CreateLogger<AlertHandoff>(), _metrics) { Feed = OperatorPage?.Incidents };
            Alerts = alerts;

            // The session opened above serves worker 0 once; every later call (other workers, a watchdog
            // replacement) opens a new one.
            IObjectDetector? firstUnused = first;
            var decorate = DetectorDecorator ?? (d => d);
            var scheduler = new DetectionScheduler(
                worker => decorate(worker == 0 && Interlocked.Exchange(ref firstUnused, null) is { } d ? d : OnnxObjectDetector.Open(_options.Detector.Model, detectorOptions)),
                _options.Detector.Workers, _time, _loggers.CreateLogger<DetectionScheduler>(), _metrics, model: Path.GetFileNameWithoutExtension(_options.Detector.Model),
                supervisor: Supervisor, watchdog: TimeSpan.FromSeconds(_options.Detector.WatchdogSeconds));
            Scheduler = scheduler;
            foreach (var c in _options.Cameras)
            {
                AddCamera(c);
            }

            using var detectStop = new CancellationTokenSource();
            var detecting = scheduler.RunAsync(detectStop.Token);
            var stats = Supervisor.RunAsync("stats", ct => PublishStatsAsync(publisher, ct), mayComplete: false, stoppingToken);
            PipelineLog.Running(_logger, _options.EdgeId, _options.Cameras.Count, Path.GetFileName(_options.Detector.Model), $"{_options.Mqtt.Host}:{_options.Mqtt.Port}");
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
            await _reconfigure.WaitAsync(CancellationToken.None);
            var running = Cameras;
            foreach (var cam in running)
            {
                await cam.Stop.CancelAsync();
            }

            await Task.WhenAll(running.Select(c => c.Running));
            await detectStop.CancelAsync();
            await detecting;
            foreach (var cam in running)
            {
                cam.Lane.Dispose();
                await cam.Analyzer.CompleteAsync(CancellationToken.None);
                cam.Slot.Dispose();
                cam.Stop.Dispose();
            }

            // Everything produced is on disk now; give the broker a moment to take it, the rest waits for the next start.
            PipelineLog.Draining(_logger, (int)outbox.Depth);
            using (var drain = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                try
                {
                    await outbox.WaitUntilEmptyAsync(drain.Token);
                }
                catch (OperationCanceledException)
                {
                    // Broker unreachable at shutdown: the messages stay in the outbox for the next run.
                }
            }

            await publisher.StopAsync(CancellationToken.None);
            await sendStop.CancelAsync();
            try
            {
                await sending;
            }
            catch (OperationCanceledException)
            {
                // The sender ends with its token.
            }

            try
            {
                await routingTask;
            }
            catch (OperationCanceledException)
            {
                // The router ends with the sender's token.
            }

            try
            {
                await stats;
            }
            catch (OperationCanceledException)
            {
                // The stats loop ends with the stop token.
            }

        }
        catch (Exception e)
        {
            _started.TrySetException(e);
            throw;
        }
    }

    /// <summary>
    /// Applies a reloaded configuration without a restart: cameras added, removed or changed (a changed camera
    /// is stopped, its open incidents ended, and started again). The other cameras are not touched.
    /// Detector, broker and edge id changes need a restart; they are reported and left as they are.
    /// </summary>
    public async Task<ReloadSummary> ReloadAsync(EdgeSentrySection next)
    {
        await Started;
        await _reconfigure.WaitAsync(_stopping);
        try
        {
            var ignored = new List<string>();
            if (Json(next.Detector) != Json(_options.Detector))
            {
                ignored.Add("detector");
            }

            if (Json(next.Mqtt) != Json(_options.Mqtt))
            {
                ignored.Add("mqtt");
            }

            if (next.EdgeId != _options.EdgeId)
            {
                ignored.Add("edgeId");
            }

            if (Json(next.Routing) != Json(_options.Routing) || Json(next.Units) != Json(_options.Units))
            {
                ignored.Add("routing");
            }

            var wanted = next.Cameras.ToDictionary(c => c.Id, StringComparer.Ordinal);
            var current = Cameras.ToDictionary(c => c.Options.Id, StringComparer.Ordinal);
            var removed = current.Keys.Where(id => !wanted.ContainsKey(id)).ToList();
            var changed = current.Keys.Where(id => wanted.TryGetValue(id, out var w) && Json(w) != Json(current[id].Options)).ToList();
            var added = wanted.Keys.Where(id => !current.ContainsKey(id)).ToList();
            foreach (var id in removed.Concat(changed))
            {
                await RemoveCameraAsync(current[id]);
                _router?.RemoveCamera(id);
            }

            foreach (var id in changed.Concat(added))
            {
                _builder!.SetCamera(ToAlertCamera(wanted[id]));
                _router?.SetCamera(ToRoutedCamera(wanted[id]));
                AddCamera(wanted[id]);
            }

            if (_router is not null)
            {
                // The served cells follow the cameras: subscribe to the units of new cells, drop the others.
                await _router.RefreshSubscriptionsAsync(_stopping);
            }

            var summary = new ReloadSummary(added, removed, changed, ignored);
            PipelineLog.Reloaded(_logger, string.Join(',', added), string.Join(',', removed), string.Join(',', changed), string.Join(',', ignored));
            return summary;
        }
        finally
        {
            _reconfigure.Release();
        }
    }

    public void Dispose() => _reconfigure.Dispose();

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);

    /// <summary>With a grid map, the alert topic carries the cell the camera is placed in (configured or by position).</summary>
    private AlertCamera ToAlertCamera(CameraSection c) =>
        new(c.Id, c.Name ?? c.Id, _grid is null ? c.GridId : _grid.Locate(c.Id, ConfigValidator.RoutingGridId(c, _grid), ConfigValidator.CameraPosition(c)).Id);

    private RoutedCamera ToRoutedCamera(CameraSection c) => new(c.Id, ConfigValidator.RoutingGridId(c, _grid!), ConfigValidator.CameraPosition(c));

    private IncidentRouter CreateRouter(GridMap grid, RoutingSection routing, AlertOutbox outbox)
    {
        var options = OptionsMapping.Routing(routing);
        var units = _options.Units.Select(u => new UnitDefinition(
            u.Id, u.Name ?? u.Id, u.GridId, u.Latitude is { } lat && u.Longitude is { } lon ? new GeoPoint(lat, lon) : null));
        return new IncidentRouter(grid, new UnitRoster(units, options.StatusStaleAfter), _options.Cameras.Select(ToRoutedCamera), options, _builder!, outbox, _time, _loggers.CreateLogger<IncidentRouter>(), _meterFactory);
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

    private void AddCamera(CameraSection c)
    {
        var slot = new FreshestFrameSlot(c.Id, _metrics);
        // The engine is created first so the gate can ask its tracker for live tracks.
        var engine = new CameraRuleEngine(c.Id, c.Analytics, _labels, _time, _trackerDefaults);
        var gate = new DetectionGate(c.Detection ?? new(), c.Analytics.Masks, () => TrackActivity.Live(engine.Tracker.Tracks), _metrics);
        var source = new CameraSource(OptionsMapping.CameraSource(c) with { FrameInspector = gate.Observe }, slot, _time, _loggers.CreateLogger<CameraSource>(), _metrics);
        foreach (var z in c.Analytics.Zones)
        {
            _zones[(c.Id, z.Id)] = z.Polygon.Select(p => new Vector2((float)p[0], (float)p[1])).ToArray();
        }

        var analyzer = new CameraAnalyzer(engine, Alerts!, _time, _metrics);
        analyzer.Tap = OperatorPage?.Attach(c, _labels, OptionsMapping.Detector(_options.Detector).ScoreThreshold); // issue 13
        if (analyzer.Tap is { } tap)
        {
            tap.Tracker = engine.TrackerOptions;
        }
        var lane = Scheduler!.Register(slot, analyzer, gate);
        string topic = AlertTopics.CameraStatus(_options.EdgeId, c.Id);
        var publisher = _publisher!;
        source.StateChanged += (s, state, reason) => _ = PublishCameraStateAsync(publisher, topic, c.Id, state, reason);
        source.FrameDecoded += _ => _metrics?.FramesDecoded.Add(1, new KeyValuePair<string, object?>("camera", c.Id));
        var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        // A file camera that played to its end may stop; any other end or fault is restarted by the supervisor.
        var runtime = new CameraRuntime(c, source, slot, analyzer, lane, stop, Supervisor.RunAsync("camera/" + c.Id, source.RunAsync, mayComplete: true, stop.Token));
        lock (_cameras)
        {
            _cameras[c.Id] = runtime;
        }
    }

    private async Task RemoveCameraAsync(CameraRuntime cam)
    {
        lock (_cameras)
        {
            _cameras.Remove(cam.Options.Id);
        }

        await cam.Stop.CancelAsync();
        await cam.Running;
        cam.Lane.Dispose();
        // A worker may still be analysing this camera's last frame; its incidents end after that.
        await cam.Lane.WhenIdle;
        await cam.Analyzer.CompleteAsync(_stopping);
        OperatorPage?.Detach(cam.Options.Id, cam.Analyzer.Tap); // issue 13
        cam.Slot.Dispose();
        cam.Stop.Dispose();
        foreach (var key in _zones.Keys.Where(k => k.Camera == cam.Options.Id).ToList())
        {
            _zones.TryRemove(key, out _);
        }
    }

    private async Task PublishCameraStateAsync(AlertPublisher publisher, string topic, string cameraId, CameraState state, string? reason)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new CameraStatusPayload(cameraId, state.ToWire(), reason is null ? null : UrlRedactor.Redact(reason), _time.GetUtcNow().UtcDateTime.ToString("O")) { EdgeId = _options.EdgeId }, StatusJson.Default.CameraStatusPayload);
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
        string topic = AlertTopics.EdgeStats(_options.EdgeId);
        var interval = TimeSpan.FromSeconds(_options.StatsIntervalSeconds);
        var rates = new DetectionRates(_time);
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(interval, _time, cancellationToken);
            double seconds = rates.Begin();
            var cameras = Cameras.Select(c => new CameraStatsPayload(
                    c.Options.Id, c.Source.State.ToWire(), c.Source.FramesDecoded, c.Slot.Dropped, c.Lane.Processed,
                    c.Source.Reconnects, c.Source.Stalls, Round(c.Lane.FrameAge.Percentile(50)), Round(c.Lane.FrameAge.Percentile(99)),
                    Round(c.Lane.Inference.Percentile(50)))
                {
                    DetectionPolicy = (c.Options.Detection ?? new()).Policy,
                    FramesSkipped = c.Lane.Gate?.FramesSkipped ?? 0,
                    MotionFraction = Math.Round(c.Lane.Gate?.MotionFraction ?? 0, 4),
                    DetectionsPerSecond = rates.PerSecond(c.Options.Id, c.Lane.Processed, seconds),
                }).ToList();
            var stats = new EdgeStatsPayload(
                _options.EdgeId,
                _time.GetUtcNow().UtcDateTime.ToString("O"),
                Scheduler?.FramesProcessed ?? 0,
                Alerts?.Stored ?? 0,
                Outbox?.Depth ?? 0,
                ProcessStatsPayload.Sample(_options.StatsMeasureLiveHeap),
                cameras)
            {
                DetectionsPerSecond = Math.Round(cameras.Sum(c => c.DetectionsPerSecond), 2),
                FramesSkipped = cameras.Sum(c => c.FramesSkipped),
            };
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

    private static double Round(double v) => double.IsNaN(v) ? 0 : Math.Round(v, 1);

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
