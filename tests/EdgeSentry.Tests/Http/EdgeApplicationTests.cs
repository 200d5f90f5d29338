using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using EdgeSentry.Configuration;
using EdgeSentry.Http;
using EdgeSentry.Tests.Peers;
using EdgeSentry.Tests.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Tests.Http;

/// <summary>
/// The edge as it runs (EdgeApplication: the node, the health loop and Kestrel) with real peers: a GStreamer RTSP
/// server with two cameras, mosquitto, ffmpeg, ONNX Runtime — and for acceptance 3 a real Prometheus and promtool.
/// </summary>
[Collection(ProcessMetricsCollection.Name)]
public class EdgeApplicationTests
{
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Metrics_TwoCameras_PrometheusScrapesFramesProcessedOfBothAndPromtoolAcceptsTheExposition()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var rtsp = await RtspServer.StartAsync(true, ("yard", "intel_worker_zone_preview_h264.mp4"), ("gym", "meva_school_gym_crowd_annotated_h264.mp4"));
        var options = Options(broker.Port, EdgeNodeTests.YardCamera("cam-a", rtsp.Url("yard")), EdgeNodeTests.YardCamera("cam-b", rtsp.Url("gym")));
        await using var app = EdgeApplication.Build(options, NoLogs);
        await app.StartAsync();
        try
        {
            var baseUri = new Uri(app.Urls.Single());
            using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(10) };
            await UntilAsync(async () => (await http.GetStringAsync(new Uri("/metrics", UriKind.Relative))) is var m
                && m.Contains("edgesentry_frames_processed_total{", StringComparison.Ordinal)
                && m.Contains("camera=\"cam-a\"", StringComparison.Ordinal) && m.Contains("camera=\"cam-b\"", StringComparison.Ordinal));

            await using var prometheus = await PrometheusServer.StartAsync(new Uri(baseUri, "/metrics"));
            JsonElement result = default;
            await UntilAsync(async () =>
            {
                result = await prometheus.QueryAsync("edgesentry_frames_processed_total > 0");
                return result.GetArrayLength() == 2;
            }, () => prometheus.TargetsAsync());
            var cameras = result.EnumerateArray().Select(s => s.GetProperty("metric").GetProperty("camera").GetString()).Order().ToList();
            Assert.Equal(["cam-a", "cam-b"], cameras);
            Assert.All(result.EnumerateArray(), s => Assert.True(double.Parse(s.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture) > 0));

            // The rest of the per-camera figures reach Prometheus too.
            Assert.Equal(2, (await prometheus.QueryAsync("edgesentry_frames_decoded_total")).GetArrayLength());
            Assert.Equal(2, (await prometheus.QueryAsync("edgesentry_camera_state{state=\"online\"} == 1")).GetArrayLength());
            Assert.True((await prometheus.QueryAsync("edgesentry_inference_duration_seconds_count{model=\"yolox_nano\",worker=\"0\"}")).GetArrayLength() == 1);

            string exposition = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            var check = await PromtoolCheckAsync(exposition);
            if (check.ExitCode != 0)
            {
                await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "edgesentry-metrics-failed.prom"), exposition);
            }

            Assert.True(check.ExitCode == 0, $"promtool check metrics: exit {check.ExitCode}: {check.Output}");
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Readyz_BrokerStopsAndReturns_NotReadyAndDegradedThenReadyAndOkOnTheRetainedStatus()
    {
        await using var broker = await MosquittoBroker.StartAsync(persistent: true);
        await using var rtsp = await RtspServer.StartAsync(true, ("yard", "intel_worker_zone_preview_h264.mp4"));
        var options = Options(broker.Port, EdgeNodeTests.YardCamera("cam-r", rtsp.Url("yard")));
        await using var app = EdgeApplication.Build(options, NoLogs);
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(10) };
            var alive = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
            Assert.Equal("alive", Json(await alive.Content.ReadAsStringAsync()).GetProperty("status").GetString());

            var ready = await ReadyzUntilAsync(http, HttpStatusCode.OK);
            Assert.True(ready.GetProperty("brokerConnected").GetBoolean());
            Assert.True(ready.GetProperty("detectorLoaded").GetBoolean());
            Assert.Equal("online", ready.GetProperty("cameras").GetProperty("cam-r").GetString());
            Assert.Equal("ok", ready.GetProperty("health").GetProperty("status").GetString());
            await using (var sub = await MqttTestSubscriber.StartAsync(broker, "edgesentry/v1/edges/edge-test/status"))
            {
                await sub.WaitForAsync(m => Encoding.UTF8.GetString(m.Payload.Span).Contains("\"health\":{\"status\":\"ok\"", StringComparison.Ordinal), MqttTestSubscriber.Cap(60));
            }

            // A late subscriber gets it retained.
            await using (var late = await MqttTestSubscriber.StartAsync(broker, "edgesentry/v1/edges/edge-test/status"))
            {
                var retainedOk = await late.NextAsync(MqttTestSubscriber.Cap(30));
                Assert.True(retainedOk.Retain);
                Assert.Contains("\"health\":{\"status\":\"ok\"", Encoding.UTF8.GetString(retainedOk.Payload.Span), StringComparison.Ordinal);
            }

            await broker.StopAsync();
            var notReady = await ReadyzUntilAsync(http, HttpStatusCode.ServiceUnavailable);
            Assert.False(notReady.GetProperty("brokerConnected").GetBoolean());
            Assert.Equal("degraded", notReady.GetProperty("health").GetProperty("status").GetString());
            Assert.Contains(notReady.GetProperty("health").GetProperty("reasons").EnumerateArray(), r => r.GetString()!.StartsWith("broker: not connected to 127.0.0.1:", StringComparison.Ordinal));

            await broker.StartAgainAsync();
            var back = await ReadyzUntilAsync(http, HttpStatusCode.OK);
            Assert.Equal("ok", back.GetProperty("health").GetProperty("status").GetString());
            // After the reconnect the status says online and ok again.
            await using var again = await MqttTestSubscriber.StartAsync(broker, "edgesentry/v1/edges/edge-test/status");
            var back2 = await again.WaitForAsync(m => Encoding.UTF8.GetString(m.Payload.Span).Contains("\"health\":{\"status\":\"ok\"", StringComparison.Ordinal), MqttTestSubscriber.Cap(60));
            using var status = JsonDocument.Parse(back2.Payload);
            Assert.Equal("online", status.RootElement.GetProperty("state").GetString());
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Metrics_BrokerAclRefusesOneCamerasAlerts_PublishFailuresAndPublishLatencyOnMetrics()
    {
        // The broker's ACL lets the edge write its own topics and cam-ok's alerts only: cam-no's alerts are refused
        // (MQTT 5 PUBACK 0x87), cam-ok's are delivered.
        string directory = Directory.CreateTempSubdirectory("edgesentry-metrics-acl-").FullName;
        string acl = Path.Combine(directory, "edge.acl");
        await File.WriteAllTextAsync(acl, $"user edge-m\ntopic readwrite edgesentry/v1/edges/#\ntopic write {EdgeSentry.Alerts.AlertTopics.Alerts("grid-7", "edge-test", "cam-ok")}\n");
        MosquittoBroker.OpenToAll(directory, directory: true);
        MosquittoBroker.OpenToAll(acl, directory: false);
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerSettings { Users = new Dictionary<string, string> { ["edge-m"] = "metrics-acl-test" }, AclFile = acl });
        await using var rtsp = await RtspServer.StartAsync(true, ("yard", "intel_worker_zone_preview_h264.mp4"));
        var refusedCamera = EdgeNodeTests.YardCamera("cam-no", rtsp.Url("yard"));
        refusedCamera.GridId = "grid-8";
        // Motion-gated: its motion counters move too (the person walking is motion).
        refusedCamera.Detection = new EdgeSentry.Motion.DetectionPolicySection { Policy = "motion" };
        var options = Options(broker.Port, EdgeNodeTests.YardCamera("cam-ok", rtsp.Url("yard")), refusedCamera);
        options.Mqtt.Username = "edge-m";
        options.Mqtt.Password = "metrics-acl-test";
        await using var app = EdgeApplication.Build(options, NoLogs);
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(10) };
            string exposition = "";
            await UntilAsync(async () =>
            {
                exposition = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
                return Sample(exposition, "edgesentry_outbox_publish_failures_total", "reason=\"refused\"") > 0
                    && Sample(exposition, "edgesentry_outbox_publish_latency_seconds_count", "") > 0
                    && Sample(exposition, "edgesentry_frames_motion_measured_total", "camera=\"cam-no\"") > 0
                    && Sample(exposition, "edgesentry_frames_motion_total", "camera=\"cam-no\"") > 0;
            }, () => Task.FromResult(string.Join('\n', exposition.Split('\n').Where(l => l.StartsWith("edgesentry_outbox", StringComparison.Ordinal)))));

            // Every refusal set its message aside, counted under the same reason.
            Assert.True(Sample(exposition, "edgesentry_outbox_set_aside_total", "reason=\"refused\"") >= Sample(exposition, "edgesentry_outbox_publish_failures_total", "reason=\"refused\""));
            // The delivered alerts' enqueue-to-PUBACK latency is a histogram in seconds.
            Assert.True(Sample(exposition, "edgesentry_outbox_publish_latency_seconds_bucket", "le=\"+Inf\"") > 0);
            Assert.NotNull(Sample(exposition, "edgesentry_outbox_publish_latency_seconds_sum", ""));
            Assert.DoesNotContain("publish_latency_milliseconds", exposition, StringComparison.Ordinal);
            var check = await PromtoolCheckAsync(exposition);
            Assert.True(check.ExitCode == 0, $"promtool check metrics: exit {check.ExitCode}: {check.Output}");
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Metrics_RoutedIncidentNobodyAccepts_DispatchesEscalationsAndUnitInputOnMetrics()
    {
        // A real router in the running edge: two units on duty (retained statuses from a real MQTT client) and a 1 s
        // acceptance SLA that nobody meets.
        string directory = Directory.CreateTempSubdirectory("edgesentry-metrics-routing-").FullName;
        await using var broker = await MosquittoBroker.StartAsync();
        await using var units = new EdgeSentry.Alerts.MqttConnection(new EdgeSentry.Alerts.MqttConnectionOptions { Host = broker.Host, Port = broker.Port, ClientId = "units" });
        await units.ConnectAsync(MqttTestSubscriber.Cap());
        foreach (string unit in new[] { "u-yard", "u-east" })
        {
            await units.PublishAsync($"edgesentry/v1/units/{unit}/status", EdgeSentry.Tests.Routing.RoutingFixture.StatusJson(true, DateTimeOffset.UtcNow), 1, retain: true);
        }

        var camera = EdgeNodeTests.YardCamera("cam-r", SharedPaths.Clip("intel_worker_zone_preview_h264.mp4"));
        camera.Loop = true;
        // Every second frame: the frames passed over are counted as skipped.
        camera.Detection = new EdgeSentry.Motion.DetectionPolicySection { Policy = "interval", IntervalFrames = 2 };
        var options = Options(broker.Port, camera);
        options.Routing = new RoutingSection { GridMap = RoutingGrid(directory), AcceptSlaSeconds = [1, 1, 1] };
        options.Units = RoutingUnits();
        await using var app = EdgeApplication.Build(options, NoLogs);
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(10) };
            string exposition = "";
            await UntilAsync(async () =>
            {
                exposition = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
                // u-yard (nearest in the cell) lets its SLA pass, so does u-east (escalated), then nobody is left (no-unit).
                return Sample(exposition, "edgesentry_routing_dispatches_total", "reason=\"nearest-in-cell\"") > 0
                    && Sample(exposition, "edgesentry_routing_dispatches_total", "reason=\"escalated\"") > 0
                    && Sample(exposition, "edgesentry_routing_dispatches_total", "reason=\"no-unit\"") > 0
                    && Sample(exposition, "edgesentry_routing_escalations_total") >= 2;
            }, () => Task.FromResult(string.Join('\n', exposition.Split('\n').Where(l => l.StartsWith("edgesentry_", StringComparison.Ordinal) && !l.Contains("_bucket", StringComparison.Ordinal)))));

            // Both retained statuses were read and accepted; nobody was dispatched to as a neighbour.
            Assert.True(Sample(exposition, "edgesentry_routing_unit_input_total", "kind=\"status\"", "outcome=\"Accepted\"") >= 2);
            Assert.Equal<double?>(0, Sample(exposition, "edgesentry_routing_dispatches_total", "reason=\"neighbour-cell\""));

            // The rest of the pipeline's and the outbox's instruments, from the same run.
            Assert.True(Sample(exposition, "edgesentry_frames_skipped_total", "camera=\"cam-r\"") > 0);
            Assert.True(Sample(exposition, "edgesentry_frame_age_seconds_count", "camera=\"cam-r\"") > 0);
            Assert.True(Sample(exposition, "edgesentry_alert_latency_seconds_count") > 0);
            Assert.True(Sample(exposition, "edgesentry_incidents_total", "kind=\"intrusion\"", "transition=\"started\"") > 0);
            Assert.True(Sample(exposition, "edgesentry_outbox_enqueued_total") > 0);
            Assert.True(Sample(exposition, "edgesentry_outbox_acknowledged_total") > 0);
            Assert.Equal<double?>(1, Sample(exposition, "edgesentry_mqtt_connected", EdgeClient));
            Assert.True(Sample(exposition, "edgesentry_outbox_bytes") > 0);
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Metrics_BrokerAbsentThenStarted_OutboxBacklogAndHealthShownThenDrained()
    {
        // The edge starts while nothing listens on the broker's port: incidents wait in the outbox.
        int port = EdgeSentry.Demo.LocalPeer.FreePort();

        var camera = EdgeNodeTests.YardCamera("cam-w", SharedPaths.Clip("intel_worker_zone_preview_h264.mp4"));
        camera.Loop = true;
        var options = Options(port, camera);
        await using var app = EdgeApplication.Build(options, NoLogs);
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(10) };
            string exposition = "";
            Task<string> Outbox() => Task.FromResult(string.Join('\n', exposition.Split('\n').Where(l => l.StartsWith("edgesentry_outbox", StringComparison.Ordinal) || l.StartsWith("edgesentry_mqtt", StringComparison.Ordinal) || l.StartsWith("edgesentry_health", StringComparison.Ordinal))));
            await UntilAsync(async () =>
            {
                exposition = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
                return Sample(exposition, "edgesentry_outbox_depth") > 0 && Sample(exposition, "edgesentry_outbox_oldest_age_seconds") > 0;
            }, Outbox);
            Assert.Equal<double?>(0, Sample(exposition, "edgesentry_mqtt_connected", EdgeClient));
            Assert.Equal<double?>(1, Sample(exposition, "edgesentry_health"));

            // The broker comes: the backlog drains, the edge is connected and healthy again.
            await using var broker = await MosquittoBroker.StartAsync(port);
            await UntilAsync(async () =>
            {
                exposition = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
                return Sample(exposition, "edgesentry_mqtt_connected", EdgeClient) == 1 && Sample(exposition, "edgesentry_outbox_depth") == 0
                    && Sample(exposition, "edgesentry_outbox_oldest_age_seconds") == 0 && Sample(exposition, "edgesentry_health") == 0;
            }, Outbox);
            Assert.True(Sample(exposition, "edgesentry_outbox_acknowledged_total") > 0);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Readyz_OutboxAtItsMessageBound_DegradedWithTheReasonUntilSendingDrainsIt()
    {
        // No broker yet, an outbox of one message, and an open incident updated every second: the second transition
        // makes the oldest go, which must show as degraded health with the reason.
        int port = EdgeSentry.Demo.LocalPeer.FreePort();

        var camera = EdgeNodeTests.YardCamera("cam-f", SharedPaths.Clip("intel_worker_zone_preview_h264.mp4"));
        camera.Loop = true;
        camera.Analytics.Rules[0].UpdateSeconds = 1;
        var options = Options(port, camera);
        options.Outbox.MaxMessages = 1;
        await using var app = EdgeApplication.Build(options, NoLogs);
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(10) };
            var full = await ReadyzUntilAsync(http, r => Reasons(r).Any(x => x.StartsWith("outbox-capacity: outbox full (1 of 1 messages)", StringComparison.Ordinal)));
            Assert.Equal("degraded", full.GetProperty("health").GetProperty("status").GetString());
            string metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            Assert.True(Sample(metrics, "edgesentry_outbox_dropped_total", "reason=\"capacity\"") > 0);

            // The broker comes and the outbox drains: the reason goes.
            await using var broker = await MosquittoBroker.StartAsync(port);
            await ReadyzUntilAsync(http, r => !Reasons(r).Any(x => x.StartsWith("outbox-capacity", StringComparison.Ordinal)) && r.GetProperty("brokerConnected").GetBoolean());
        }
        finally
        {
            await app.StopAsync();
        }

        static IEnumerable<string> Reasons(JsonElement readyz) => readyz.GetProperty("health").GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!);
    }

    private static async Task<JsonElement> ReadyzUntilAsync(HttpClient http, Func<JsonElement, bool> wanted)
    {
        string last = "";
        await UntilAsync(async () =>
        {
            using var r = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
            last = await r.Content.ReadAsStringAsync();
            return wanted(Json(last));
        }, () => Task.FromResult(last));
        return Json(last);
    }

    /// <summary>The edge's own MQTT connection (a test's MQTT clients report on a meter of the same name).</summary>
    private const string EdgeClient = "client_id=\"edgesentry-edge-test\"";

    /// <summary>grid-7 around the yard camera (31.23, 121.47) and grid-8 east of it, both on street-9.</summary>
    internal static string RoutingGrid(string directory)
    {
        string path = Path.Combine(directory, "grid.geojson");
        static string Cell(string id, string name, double lon0, double lon1) => EdgeSentry.Tests.Routing.RoutingFixture.Cell(id, name, "street-9", lon0, lon1)
            .Replace("31.20", "31.22", StringComparison.Ordinal).Replace("31.21", "31.24", StringComparison.Ordinal);
        File.WriteAllText(path, $$"""{"type":"FeatureCollection","features":[{{Cell("grid-7", "Yard", 121.46, 121.48)}},{{Cell("grid-8", "East", 121.48, 121.50)}}]}""");
        return path;
    }

    /// <summary>u-yard in grid-7 about 110 m from the camera, u-east in grid-8.</summary>
    internal static List<UnitSection> RoutingUnits() =>
    [
        new UnitSection { Id = "u-yard", GridId = "grid-7", Latitude = 31.231, Longitude = 121.47 },
        new UnitSection { Id = "u-east", GridId = "grid-8", Latitude = 31.23, Longitude = 121.49 },
    ];

    /// <summary>
    /// The value of the samples of <paramref name="name"/> whose labels contain every one of <paramref name="labels"/>
    /// (summed over every such series), or null when there is none.
    /// </summary>
    internal static double? Sample(string exposition, string name, params string[] labels)
    {
        double? total = null;
        foreach (string line in exposition.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || (line[name.Length] != '{' && line[name.Length] != ' ')
                || !labels.All(l => line.Contains(l, StringComparison.Ordinal)))
            {
                continue;
            }

            string[] parts = line[(line.LastIndexOf('}') is var close and >= 0 ? close + 1 : name.Length)..].Trim().Split(' ');
            total = (total ?? 0) + double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        }

        return total;
    }

    internal static EdgeSentrySection Options(int brokerPort, params CameraSection[] cameras)
    {
        var options = EdgeNodeTests.Options(brokerPort, cameras);
        options.Http = new HttpSection { Listen = "127.0.0.1:0" };
        return options;
    }

    private static void NoLogs(ILoggingBuilder logging) => logging.SetMinimumLevel(LogLevel.Warning);

    private static JsonElement Json(string body)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }

    private static async Task<JsonElement> ReadyzUntilAsync(HttpClient http, HttpStatusCode wanted)
    {
        string last = "";
        HttpStatusCode code = default;
        await UntilAsync(async () =>
        {
            using var r = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
            code = r.StatusCode;
            last = await r.Content.ReadAsStringAsync();
            return code == wanted;
        }, () => Task.FromResult($"{code} {last}"));
        return Json(last);
    }

    /// <summary>Polls a condition; <see cref="Cap"/> only guards against a hang.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition, Func<Task<string>>? describe = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > Cap)
            {
                Assert.Fail("condition not met within the hang guard" + (describe is null ? "" : ": " + await describe()));
            }

            await Task.Delay(250);
        }
    }

    private static async Task<(int ExitCode, string Output)> PromtoolCheckAsync(string exposition)
    {
        var psi = new ProcessStartInfo("/usr/bin/promtool", ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("promtool did not start: sudo apt-get install -y prometheus");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardInput.WriteAsync(exposition);
        p.StandardInput.Close();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout + await stderr);
    }
}
