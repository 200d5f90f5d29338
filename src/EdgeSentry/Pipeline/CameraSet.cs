using System.Collections.Concurrent;
using System.Numerics;
using System.Text.Json;
using EdgeSentry.Capture;
using EdgeSentry.Configuration;
using EdgeSentry.Diagnostics;
using EdgeSentry.Motion;
using EdgeSentry.Operator;
using EdgeSentry.Rules;
using EdgeSentry.Tracking;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Pipeline;

/// <summary>
/// The node's running cameras: per camera its source, freshest-frame slot, rules, detection gate and lane, each
/// source supervised on its own. Cameras are added, removed and replaced (<see cref="ApplyAsync"/>) while the others
/// keep running. Not safe for concurrent changes: the node serialises reloads and its stop.
/// </summary>
public sealed class CameraSet
{
    private readonly Dictionary<string, CameraRuntime> _cameras = new(StringComparer.Ordinal);
    private readonly string _edgeId;
    private readonly DetectionScheduler _scheduler;
    private readonly AlertHandoff _alerts;
    private readonly ConcurrentDictionary<(string Camera, string Zone), Vector2[]> _zones;
    private readonly CameraStatusPublisher _status;
    private readonly Supervisor _supervisor;
    private readonly IReadOnlyList<string> _labels;
    private readonly TrackerOptions _trackerDefaults;
    private readonly float _scoreThreshold;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly EdgeSentryMetrics? _metrics;
    private readonly OperatorHub? _operatorPage;
    private readonly CancellationToken _stopping;

    /// <param name="edgeId">The box's id: the first part of every incident id its cameras mint.</param>
    /// <param name="zones">Each camera's zone polygons by (camera, zone), kept here for the alert path's snapshots.</param>
    /// <param name="labels">The model's labels; <paramref name="trackerDefaults"/> its track-birth levels.</param>
    /// <param name="scoreThreshold">The detector's score threshold, shown on the operator page.</param>
    /// <param name="stopping">The node's stop: every camera stops with it at the latest.</param>
    public CameraSet(
        string edgeId,
        DetectionScheduler scheduler,
        AlertHandoff alerts,
        ConcurrentDictionary<(string Camera, string Zone), Vector2[]> zones,
        CameraStatusPublisher status,
        Supervisor supervisor,
        IReadOnlyList<string> labels,
        TrackerOptions trackerDefaults,
        float scoreThreshold,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        EdgeSentryMetrics? metrics,
        OperatorHub? operatorPage,
        CancellationToken stopping)
    {
        _edgeId = edgeId;
        _scheduler = scheduler;
        _alerts = alerts;
        _zones = zones;
        _status = status;
        _supervisor = supervisor;
        _labels = labels;
        _trackerDefaults = trackerDefaults;
        _scoreThreshold = scoreThreshold;
        _time = timeProvider;
        _loggers = loggerFactory;
        _metrics = metrics;
        _operatorPage = operatorPage;
        _stopping = stopping;
    }

    /// <summary>A snapshot of the running cameras.</summary>
    public IReadOnlyList<CameraRuntime> Current
    {
        get
        {
            lock (_cameras)
            {
                return [.. _cameras.Values];
            }
        }
    }

    /// <summary>Starts a camera: its source runs under the supervisor, its frames go to the scheduler.</summary>
    public void Add(CameraSection c)
    {
        var slot = new FreshestFrameSlot(c.Id, _metrics);
        // The engine is created first so the gate can ask its tracker for live tracks.
        var engine = new CameraRuleEngine(c.Id, c.Analytics, _labels, _time, _trackerDefaults) { EdgeId = _edgeId };
        var gate = new DetectionGate(c.Detection ?? new(), c.Analytics.Masks, () => TrackActivity.Live(engine.Tracker.Tracks), _metrics, c.Id);
        var source = new CameraSource(OptionsMapping.CameraSource(c) with { FrameInspector = gate.Observe }, slot, _time, _loggers.CreateLogger<CameraSource>(), _metrics);
        foreach (var z in c.Analytics.Zones)
        {
            _zones[(c.Id, z.Id)] = z.Polygon.Select(p => new Vector2((float)p[0], (float)p[1])).ToArray();
        }

        var analyzer = new CameraAnalyzer(engine, _alerts, _time, _metrics);
        analyzer.Tap = _operatorPage?.Attach(c, _labels, _scoreThreshold); // issue 13
        if (analyzer.Tap is { } tap)
        {
            tap.Tracker = engine.TrackerOptions;
        }

        var lane = _scheduler.Register(slot, analyzer, gate);
        source.StateChanged += (s, state, reason) => _status.Publish(c.Id, state, reason);
        source.FrameDecoded += _ => _metrics?.FramesDecoded.Add(1, new KeyValuePair<string, object?>("camera", c.Id));
        var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        // A file camera that played to its end may stop; any other end or fault is restarted by the supervisor.
        var runtime = new CameraRuntime(c, source, slot, analyzer, lane, stop, _supervisor.RunAsync("camera/" + c.Id, source.RunAsync, mayComplete: true, stop.Token));
        lock (_cameras)
        {
            _cameras[c.Id] = runtime;
        }
    }

    /// <summary>
    /// Makes the running cameras those of <paramref name="wanted"/>: new ones added, missing ones removed, changed ones
    /// (any setting) stopped with their open incidents ended and started again; the others are not touched.
    /// <paramref name="removed"/> hears each camera id taken down (removed or changed) after it stopped;
    /// <paramref name="placing"/> each camera about to start (added or changed).
    /// </summary>
    /// <returns>What changed; <see cref="ReloadSummary.NeedRestart"/> is left empty for the caller.</returns>
    public async Task<ReloadSummary> ApplyAsync(IReadOnlyList<CameraSection> wanted, Action<string> removed, Action<CameraSection> placing)
    {
        var next = wanted.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var current = Current.ToDictionary(c => c.Options.Id, StringComparer.Ordinal);
        var gone = current.Keys.Where(id => !next.ContainsKey(id)).ToList();
        var changed = current.Keys.Where(id => next.TryGetValue(id, out var w) && Json(w) != Json(current[id].Options)).ToList();
        var added = next.Keys.Where(id => !current.ContainsKey(id)).ToList();
        foreach (var id in gone.Concat(changed))
        {
            await RemoveAsync(current[id]);
            removed(id);
        }

        foreach (var id in changed.Concat(added))
        {
            placing(next[id]);
            Add(next[id]);
        }

        return new ReloadSummary(added, gone, changed, []);
    }

    /// <summary>
    /// The first half of an orderly stop: every camera's source stops and no frame enters the pipeline any more.
    /// Detection may still finish what it took; then <see cref="CloseAsync"/>.
    /// </summary>
    public async Task<IReadOnlyList<CameraRuntime>> StopSourcesAsync()
    {
        var running = Current;
        foreach (var cam in running)
        {
            await cam.Stop.CancelAsync();
        }

        await Task.WhenAll(running.Select(c => c.Running));
        return running;
    }

    /// <summary>The second half, once detection has stopped: open incidents end, buffers go back.</summary>
    public static async Task CloseAsync(IReadOnlyList<CameraRuntime> stopped)
    {
        foreach (var cam in stopped)
        {
            cam.Lane.Dispose();
            await cam.Analyzer.CompleteAsync(CancellationToken.None);
            cam.Slot.Dispose();
            cam.Stop.Dispose();
        }
    }

    private async Task RemoveAsync(CameraRuntime cam)
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
        _operatorPage?.Detach(cam.Options.Id, cam.Analyzer.Tap); // issue 13
        cam.Slot.Dispose();
        cam.Stop.Dispose();
        foreach (var key in _zones.Keys.Where(k => k.Camera == cam.Options.Id).ToList())
        {
            _zones.TryRemove(key, out _);
        }
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);
}
