using System.Collections.Concurrent;
using System.Numerics;
using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Configuration;
using EdgeSentry.Detection;
using EdgeSentry.Diagnostics;
using EdgeSentry.Routing;
using EdgeSentry.Tracking;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Pipeline;

/// <summary>
/// One edge box, composed from a validated configuration, and its lifecycle: the shared detector, the alert path
/// (outbox, publisher, router), the <see cref="CameraSet"/>, the <see cref="StatsPublisher"/>; started in that order,
/// stopped in the reverse one without losing an alert. Start-up faults (model, outbox) surface from
/// <see cref="RunAsync"/> before any camera starts; a failing camera only affects itself. The demo's peers are
/// not started here (Demo/DemoPeersService runs before the node).
/// </summary>
public sealed class EdgeNode : IDisposable
{
    private readonly EdgeSentrySection _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly EdgeSentryMetrics? _metrics;
    private readonly System.Diagnostics.Metrics.IMeterFactory? _meterFactory;
    private readonly ConcurrentDictionary<(string Camera, string Zone), Vector2[]> _zones = new();
    // Reloads and the stop take turns; the stop keeps it, so no reload starts a camera after the stop began.
    private readonly SemaphoreSlim _reconfigure = new(1, 1);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CameraSet? _cameras;
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

    /// <summary>A snapshot of the running cameras (none before start).</summary>
    public IReadOnlyList<CameraRuntime> Cameras => _cameras?.Current ?? [];

    /// <summary>Operator page (issue 13): camera taps and the incident feed; null without the HTTP host.</summary>
    public Operator.OperatorHub? OperatorPage { get; init; }

    public AlertHandoff? Alerts { get; private set; }
    /// <summary>The alert publisher once started: health reads its connection and hooks the retained status.</summary>
    public AlertPublisher? Publisher { get; private set; }
    public AlertOutbox? Outbox { get; private set; }
    public DetectionScheduler? Scheduler { get; private set; }

    /// <summary>Completes when everything is running (tests wait on it); faults with the start-up error.</summary>
    public Task Started => _started.Task;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        try
        {
            // The model is opened first: a missing or corrupt model stops start-up with its own message.
            var detectorOptions = OptionsMapping.Detector(_options.Detector);
            var first = OnnxObjectDetector.Open(_options.Detector.Model, detectorOptions, _loggers.CreateLogger<OnnxObjectDetector>());

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

            await using var outbox = AlertOutbox.Open(OptionsMapping.Outbox(_options.Outbox), _time, _loggers.CreateLogger<AlertOutbox>(), _meterFactory);
            Outbox = outbox;
            // With the outbox the service starts even while the broker is down (alerts wait on disk); the
            // connection logs which host:port it cannot reach and keeps trying.
            await using var publisher = new AlertPublisher(OptionsMapping.Mqtt(_options), _builder, outbox, _time, _loggers, _meterFactory);
            Publisher = publisher;
            await publisher.StartAsync(stoppingToken);
            using var sendStop = new CancellationTokenSource();
            var sending = Supervisor.RunAsync("outbox-sender", publisher.RunAsync, mayComplete: false, sendStop.Token);

            using var router = _grid is null ? null : CreateRouter(_grid, _options.Routing!, outbox);
            _router = router;
            if (router is not null && OperatorPage is { } page)
            {
                router.LoopChanged += page.Incidents.PublishLoop; // issue 13: dispatch and closed-loop state on the page
            }

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
            var cameras = new CameraSet(
                _options.EdgeId, scheduler, alerts, _zones, new CameraStatusPublisher(publisher, _options.EdgeId, _time, _logger), Supervisor,
                first.Labels, TrackerOptions.ForModel(first.Manifest.TrackBirth), detectorOptions.ScoreThreshold,
                _time, _loggers, _metrics, OperatorPage, stoppingToken);
            _cameras = cameras;
            foreach (var c in _options.Cameras)
            {
                cameras.Add(c);
            }

            using var detectStop = new CancellationTokenSource();
            var detecting = scheduler.RunAsync(detectStop.Token);
            var statsPublisher = new StatsPublisher(
                publisher, cameras, scheduler, alerts, outbox, _options.EdgeId, TimeSpan.FromSeconds(_options.StatsIntervalSeconds), _options.StatsMeasureLiveHeap, _time, _logger);
            var stats = Supervisor.RunAsync("stats", statsPublisher.RunAsync, mayComplete: false, stoppingToken);
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
            var stopped = await cameras.StopSourcesAsync();
            await detectStop.CancelAsync();
            await detecting;
            await CameraSet.CloseAsync(stopped);

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

            // A camera's alert topic and routing follow its (new) placement before it starts again.
            var applied = await _cameras!.ApplyAsync(
                next.Cameras,
                removed: id => _router?.RemoveCamera(id),
                placing: c =>
                {
                    _builder!.SetCamera(ToAlertCamera(c));
                    _router?.SetCamera(ToRoutedCamera(c));
                });
            if (_router is not null)
            {
                // The served cells follow the cameras: subscribe to the units of new cells, drop the others.
                await _router.RefreshSubscriptionsAsync(_stopping);
            }

            var summary = applied with { NeedRestart = ignored };
            PipelineLog.Reloaded(_logger, string.Join(',', summary.Added), string.Join(',', summary.Removed), string.Join(',', summary.Changed), string.Join(',', ignored));
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
}
