using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Configuration;
using EdgeSentry.Pipeline;
using EdgeSentry.Rules;
using EdgeSentry.Tests.Peers;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Tests.Pipeline;

/// <summary>End to end with real peers: GStreamer RTSP server → ffmpeg → ONNX Runtime → rules → mosquitto → subscriber.</summary>
public class EdgeNodeTests
{
    // intel_worker_zone_preview_h264.mp4 (480x270, 15 fps): a worker walks from the bottom of the frame into
    // the marked floor area; this zone covers the lower floor he crosses (checked by eye on frames 0-70).
    private static readonly List<double[]> YardZone = [[0.05, 0.45], [0.95, 0.45], [0.95, 1.0], [0.05, 1.0]];

    internal static EdgeSentrySection Options(int brokerPort, params CameraSection[] cameras) => new()
    {
        EdgeId = "edge-test",
        StatsIntervalSeconds = 3600,
        Mqtt = new MqttSection { Host = "127.0.0.1", Port = brokerPort, ConnectTimeoutSeconds = 5 },
        Detector = new DetectorSection { Model = SharedPaths.Model("yolox_nano.onnx") },
        Outbox = new OutboxSection { Path = Path.Combine(Directory.CreateTempSubdirectory("edgesentry-outbox-").FullName, "outbox.db") },
        Cameras = [.. cameras],
    };

    internal static CameraSection YardCamera(string id, string url) => new()
    {
        Id = id,
        Name = "Yard " + id,
        Url = url,
        GridId = "grid-7",
        Latitude = 31.23,
        Longitude = 121.47,
        MaxFps = 10,
        Analytics = new CameraRulesDefinition
        {
            Zones = [new ZoneDefinition { Id = "hazard", Polygon = YardZone }],
            Rules = [new RuleDefinition { Id = "no-entry", Kind = "intrusion", Zone = "hazard", Classes = ["person"], MinScore = 0.4, Severity = 2, HoldSeconds = 2 }],
        },
    };

    [Fact]
    public async Task RunAsync_PersonWalksIntoZone_PublishesStartedIncidentWithItsFields()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var rtsp = await RtspServer.StartAsync(true, ("yard", "intel_worker_zone_preview_h264.mp4"));
        await using var subscriber = await MqttTestSubscriber.StartAsync(broker, "edgesentry/v1/#");
        var options = Options(broker.Port, YardCamera("yard-1", rtsp.Url("yard")));
        var node = new EdgeNode(options, TimeProvider.System, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var run = node.RunAsync(stop.Token);
        var cap = MqttTestSubscriber.Cap(90);

        var online = await subscriber.WaitForAsync(m => m.Topic == "edgesentry/v1/edges/edge-test/status", cap);
        var incident = await subscriber.WaitForAsync(m => m.Topic == AlertTopics.Alerts("grid-7", "edge-test", "yard-1"), cap);
        // A late subscriber still learns the edge is online: the status is retained.
        await using var late = await MqttTestSubscriber.StartAsync(broker, "edgesentry/v1/edges/+/status");
        var retained = await late.NextAsync(cap);
        await stop.CancelAsync();
        await run;

        Assert.Contains("\"online\"", System.Text.Encoding.UTF8.GetString(online.Payload.Span), StringComparison.Ordinal);
        Assert.True(retained.Retain);
        Assert.Contains("\"online\"", System.Text.Encoding.UTF8.GetString(retained.Payload.Span), StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(incident.Payload);
        var p = doc.RootElement;
        Assert.Equal("edgesentry/v1/incident", p.GetProperty("schema").GetString());
        Assert.Equal("started", p.GetProperty("transition").GetString());
        Assert.Equal(1, p.GetProperty("sequence").GetInt32());
        Assert.Equal("intrusion", p.GetProperty("kind").GetString());
        Assert.Equal("yard-1", p.GetProperty("cameraId").GetString());
        Assert.Equal("grid-7", p.GetProperty("gridId").GetString());
        Assert.Equal("hazard", p.GetProperty("zoneId").GetString());
        // The service mints ids unique across edges: the edge id, then the camera's own id.
        Assert.StartsWith("edge-test:yard-1-no-entry-", p.GetProperty("incidentId").GetString(), StringComparison.Ordinal);
        Assert.Equal("no-entry", p.GetProperty("ruleId").GetString());
        Assert.Equal(2, p.GetProperty("severity").GetInt32());
        Assert.False(string.IsNullOrEmpty(p.GetProperty("incidentId").GetString()));
        Assert.False(string.IsNullOrEmpty(p.GetProperty("messageId").GetString()));
        var obj = p.GetProperty("object");
        Assert.Equal("person", obj.GetProperty("label").GetString());
        Assert.Equal(0, obj.GetProperty("classId").GetInt32());
        Assert.InRange(obj.GetProperty("score").GetSingle(), 0.4f, 1f);
        var box = obj.GetProperty("box").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(4, box.Length);
        Assert.True(box[0] < box[2] && box[1] < box[3]);
        Assert.InRange(box[0], 0f, 480f);
        Assert.InRange(box[3], 0f, 270f);
        // The bottom-centre of the box is what entered the zone (y >= 0.45 of the frame).
        Assert.True(box[3] / 270f >= 0.45f, $"box bottom {box[3]} is above the zone");
        Assert.Equal(480, p.GetProperty("frame").GetProperty("width").GetInt32());
        var started = DateTimeOffset.Parse(p.GetProperty("startedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var at = DateTimeOffset.Parse(p.GetProperty("at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(at >= started);
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromMinutes(5));
        var snapshot = p.GetProperty("snapshot");
        Assert.Equal("image/jpeg", snapshot.GetProperty("contentType").GetString());
        var jpeg = snapshot.GetProperty("data").GetBytesFromBase64();
        Assert.Equal(0xFF, jpeg[0]);
        Assert.Equal(0xD8, jpeg[1]);
    }

    [Fact]
    public async Task RunAsync_OneCameraUnreachable_OtherCameraStillAlertsAndNoSecretLeaks()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var rtsp = await RtspServer.StartAsync(true, ("yard", "intel_worker_zone_preview_h264.mp4"));
        await using var subscriber = await MqttTestSubscriber.StartAsync(broker, "edgesentry/v1/#");
        int deadPort = EdgeSentry.Demo.LocalPeer.FreePort();
        var options = Options(broker.Port,
            YardCamera("dead-1", $"rtsp://admin:s3cret@127.0.0.1:{deadPort}/live"),
            YardCamera("yard-1", rtsp.Url("yard")));
        using var logs = new CapturingLoggerProvider();
        var node = new EdgeNode(options, TimeProvider.System, logs.CreateFactory());
        using var stop = new CancellationTokenSource();
        var run = node.RunAsync(stop.Token);
        var cap = MqttTestSubscriber.Cap(90);
        var seen = new List<EdgeSentry.Alerts.MqttMessage>();

        EdgeSentry.Alerts.MqttMessage? incident = null, deadStatus = null;
        while (incident is null || deadStatus is null)
        {
            var m = await subscriber.NextAsync(cap);
            seen.Add(m);
            if (m.Topic == AlertTopics.Alerts("grid-7", "edge-test", "yard-1"))
            {
                incident = m;
            }
            else if (m.Topic == "edgesentry/v1/edges/edge-test/cameras/dead-1/status" && System.Text.Encoding.UTF8.GetString(m.Payload.Span).Contains("reconnecting", StringComparison.Ordinal))
            {
                deadStatus = m;
            }
        }

        await stop.CancelAsync();
        await run;

        Assert.NotNull(incident);
        string status = System.Text.Encoding.UTF8.GetString(deadStatus.Payload.Span);
        Assert.Contains("Connection refused", status, StringComparison.OrdinalIgnoreCase);
        Assert.All(seen, m => Assert.DoesNotContain("s3cret", System.Text.Encoding.UTF8.GetString(m.Payload.Span), StringComparison.Ordinal));
        Assert.NotEmpty(logs.Lines);
        Assert.All(logs.Lines, l => Assert.DoesNotContain("s3cret", l, StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Contains("dead-1", StringComparison.Ordinal) && l.Contains("***", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_BrokerUnreachable_LogsHostAndPortAndDeliversStoredIncidentsOnceItIsUp()
    {
        int port = EdgeSentry.Demo.LocalPeer.FreePort();
        var options = Options(port, YardCamera("yard-1", SharedPaths.Clip("intel_worker_zone_preview_h264.mp4")));
        options.Cameras[0].Loop = true;
        using var logs = new CapturingLoggerProvider();
        var node = new EdgeNode(options, TimeProvider.System, logs.CreateFactory());
        using var stop = new CancellationTokenSource();
        var run = node.RunAsync(stop.Token);
        var cap = MqttTestSubscriber.Cap(120);
        try
        {
            await node.Started.WaitAsync(cap);
            while (node.Alerts!.Stored == 0)
            {
                await Task.Delay(100, cap);
            }

            Assert.True(node.Outbox!.Depth > 0, "the incident should wait in the outbox while the broker is down");
            Assert.Contains(logs.Lines, l => l.Contains($"127.0.0.1:{port}", StringComparison.Ordinal) && l.Contains("refused", StringComparison.OrdinalIgnoreCase));

            await using var broker = await MosquittoBroker.StartAsync(port);
            await using var subscriber = await MqttTestSubscriber.StartAsync(broker, "edgesentry/v1/alerts/#");
            var incident = await subscriber.WaitForAsync(_ => true, cap);
            using var doc = JsonDocument.Parse(incident.Payload);
            Assert.Equal("yard-1", doc.RootElement.GetProperty("cameraId").GetString());
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }

    [Fact]
    public async Task RunAsync_CorruptModel_FailsNamingTheFile()
    {
        var dir = Directory.CreateTempSubdirectory("edgesentry-model-");
        var model = Path.Combine(dir.FullName, "yolox_nano.onnx");
        var bytes = await File.ReadAllBytesAsync(SharedPaths.Model("yolox_nano.onnx"));
        await File.WriteAllBytesAsync(model, bytes.AsSpan(0, bytes.Length / 3).ToArray());
        var options = Options(1883, YardCamera("yard-1", SharedPaths.Clip("intel_worker_zone_preview_h264.mp4")));
        options.Detector.Model = model;
        var node = new EdgeNode(options, TimeProvider.System, NullLoggerFactory.Instance);

        var e = await Assert.ThrowsAnyAsync<Exception>(() => node.RunAsync(MqttTestSubscriber.Cap(60)));

        Assert.Contains(model, e.Message, StringComparison.Ordinal);
    }
}
