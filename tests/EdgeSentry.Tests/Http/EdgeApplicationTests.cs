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
