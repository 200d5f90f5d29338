using System.Collections.Concurrent;
using System.Numerics;
using EdgeSentry.Alerts;
using EdgeSentry.Configuration;
using EdgeSentry.Detection;
using EdgeSentry.Pipeline;
using EdgeSentry.Rules;
using EdgeSentry.Tests.Peers;
using EdgeSentry.Tracking;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Tests.Pipeline;

/// <summary>
/// The camera set on its own: which cameras a reload replaces, keeps and stops. The cameras point at a closed
/// loopback port (their sources really run ffmpeg and retry under the supervisor) and report their states to a
/// real mosquitto; the detection scheduler runs with the real yolox_nano (no frame ever reaches it).
/// End-to-end reloads with footage and a broker are in <see cref="EdgeNodeReloadTests"/>.
/// </summary>
public sealed class CameraSetTests
{
    [Fact]
    public async Task ApplyAsync_OneChangedOneGoneOneNew_ReplacesOnlyThoseAndLeavesTheOtherRunning()
    {
        await using var rig = await Rig.StartAsync();
        rig.Set.Add(Camera("cam-a"));
        rig.Set.Add(Camera("cam-b", zone: "gate"));
        rig.Set.Add(Camera("cam-c"));
        var before = rig.Set.Current.ToDictionary(c => c.Options.Id);
        Assert.True(rig.Zones.ContainsKey(("cam-b", "gate")));
        var changed = Camera("cam-a");
        changed.MaxFps = 3;
        var removed = new List<string>();
        var placed = new List<string>();

        var summary = await rig.Set.ApplyAsync([changed, Camera("cam-c"), Camera("cam-d")], removed.Add, c => placed.Add(c.Id)).WaitAsync(MqttTestSubscriber.Cap(60));

        Assert.Equal(["cam-d"], summary.Added);
        Assert.Equal(["cam-b"], summary.Removed);
        Assert.Equal(["cam-a"], summary.Changed);
        Assert.Empty(summary.NeedRestart);
        Assert.Equal(["cam-b", "cam-a"], removed);
        Assert.Equal(["cam-a", "cam-d"], placed);
        var after = rig.Set.Current.ToDictionary(c => c.Options.Id);
        Assert.Equal(["cam-a", "cam-c", "cam-d"], after.Keys.Order(StringComparer.Ordinal));
        Assert.Same(before["cam-c"], after["cam-c"]);
        Assert.False(before["cam-c"].Running.IsCompleted, "the untouched camera was stopped");
        Assert.NotSame(before["cam-a"], after["cam-a"]);
        Assert.Equal(3, after["cam-a"].Options.MaxFps);
        Assert.True(before["cam-a"].Running.IsCompleted, "the changed camera's old source still runs");
        Assert.True(before["cam-b"].Running.IsCompleted, "the removed camera's source still runs");
        Assert.False(rig.Zones.ContainsKey(("cam-b", "gate")), "the removed camera's zone is still mapped");
    }

    [Fact]
    public async Task ApplyAsync_SameCameras_ChangesNothing()
    {
        await using var rig = await Rig.StartAsync();
        rig.Set.Add(Camera("cam-a"));
        var before = rig.Set.Current.Single();

        var summary = await rig.Set.ApplyAsync([Camera("cam-a")], _ => Assert.Fail("nothing to remove"), _ => Assert.Fail("nothing to place")).WaitAsync(MqttTestSubscriber.Cap(60));

        Assert.Empty(summary.Added);
        Assert.Empty(summary.Removed);
        Assert.Empty(summary.Changed);
        Assert.Same(before, rig.Set.Current.Single());
    }

    [Fact]
    public async Task StopSourcesAsync_ThenCloseAsync_StopsEveryCamera()
    {
        await using var rig = await Rig.StartAsync();
        rig.Set.Add(Camera("cam-a"));
        rig.Set.Add(Camera("cam-b"));

        var stopped = await rig.Set.StopSourcesAsync().WaitAsync(MqttTestSubscriber.Cap(60));
        await CameraSet.CloseAsync(stopped).WaitAsync(MqttTestSubscriber.Cap(60));

        Assert.Equal(2, stopped.Count);
        Assert.All(stopped, c => Assert.True(c.Running.IsCompleted, c.Options.Id + " still runs"));
    }

    private static CameraSection Camera(string id, string? zone = null)
    {
        var camera = new CameraSection { Id = id, Url = "rtsp://127.0.0.1:1/" + id, ReconnectMaxSeconds = 0.5 };
        if (zone is not null)
        {
            camera.Analytics.Zones.Add(new ZoneDefinition { Id = zone, Polygon = [[0, 0], [1, 0], [1, 1], [0, 1]] });
        }

        return camera;
    }

    private sealed class Rig : IAsyncDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("edgesentry-cameraset-").FullName;
        private readonly CancellationTokenSource _stopping = new();
        private readonly AlertOutbox _outbox;
        private readonly AlertPublisher _publisher;
        private readonly AlertHandoff _alerts;
        private readonly DetectionScheduler _scheduler;
        private readonly Task _detecting;

        private readonly MosquittoBroker _broker;

        private Rig(MosquittoBroker broker)
        {
            _broker = broker;
            var time = TimeProvider.System;
            var builder = new IncidentMessageBuilder("edge-set", [], time);
            _outbox = AlertOutbox.Open(new OutboxOptions { DatabasePath = Path.Combine(_directory, "outbox.db"), SurvivePowerLoss = false }, time);
            _publisher = new AlertPublisher(new MqttConnectionOptions { Host = broker.Host, Port = broker.Port, ClientId = "edge-set" }, builder, _outbox, time);
            _alerts = new AlertHandoff(new IncidentDispatcher(builder, _outbox), Zones, NullLogger.Instance);
            // Running: a lane is handed to a worker once when registered, and a removed camera waits for its lane to be idle.
            _scheduler = new DetectionScheduler(_ => OnnxObjectDetector.Open(SharedPaths.Model("yolox_nano.onnx"), new DetectorOptions()), 1, time, NullLogger.Instance);
            _detecting = _scheduler.RunAsync(_stopping.Token);
            Set = new CameraSet(
                "edge-set", _scheduler, _alerts, Zones, new CameraStatusPublisher(_publisher, "edge-set", time, NullLogger.Instance), new Supervisor(time),
                ["person"], new TrackerOptions(), 0.3f, time, NullLoggerFactory.Instance, metrics: null, operatorPage: null, _stopping.Token);
        }

        public ConcurrentDictionary<(string Camera, string Zone), Vector2[]> Zones { get; } = new();

        public static async Task<Rig> StartAsync()
        {
            var rig = new Rig(await MosquittoBroker.StartAsync());
            await rig._publisher.StartAsync(MqttTestSubscriber.Cap(60));
            return rig;
        }

        public CameraSet Set { get; }

        public async ValueTask DisposeAsync()
        {
            // Every camera's stop is linked to the set's: cancelling it ends the sources a test left running.
            await _stopping.CancelAsync();
            await Task.WhenAll(Set.Current.Select(c => c.Running)).WaitAsync(MqttTestSubscriber.Cap(60));
            await _detecting.WaitAsync(MqttTestSubscriber.Cap(60));
            _alerts.Dispose();
            await _publisher.StopAsync(CancellationToken.None);
            await _publisher.DisposeAsync();
            await _outbox.DisposeAsync();
            await _broker.DisposeAsync();
            _stopping.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
