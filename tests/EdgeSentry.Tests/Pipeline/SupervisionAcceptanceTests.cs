using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using EdgeSentry.Diagnostics;
using EdgeSentry.Http;
using EdgeSentry.Pipeline;
using EdgeSentry.Tests.Peers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Tests.Pipeline;

/// <summary>
/// Issue 10, acceptance 1, with real peers (GStreamer RTSP server, ffmpeg, ONNX Runtime, mosquitto, the HTTP host):
/// a real session wrapped by a decorator that throws on one frame, or hangs on one frame.
/// </summary>
public partial class SupervisionAcceptanceTests
{
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Detect_ThrowsOnOneFrame_LaterFramesOfEveryCameraProcessedAndFaultCountedInMetrics()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var rtsp = await RtspServer.StartAsync(true, ("yard", "intel_worker_zone_preview_h264.mp4"), ("gym", "meva_school_gym_crowd_annotated_h264.mp4"));
        var options = Http.EdgeApplicationTests.Options(broker.Port, EdgeNodeTests.YardCamera("cam-a", rtsp.Url("yard")), EdgeNodeTests.YardCamera("cam-b", rtsp.Url("gym")));
        // One worker: without supervision its end would stop every camera.
        options.Detector.Workers = 1;
        using var plan = new FaultPlan();
        await using var app = EdgeApplication.Build(options, NoLogs);
        var node = app.Services.GetRequiredService<EdgeNode>();
        node.DetectorDecorator = d => new FaultInjectingDetector(d, plan);
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(10) };
            await UntilAsync(() => Task.FromResult(node.Cameras.Count == 2 && node.Cameras.All(c => c.Lane.Processed > 0)));
            Assert.Equal(0, Counter(await MetricsAsync(http), "edgesentry_faults_total", "stage=\"detect\""));

            plan.ArmThrow();
            await plan.Happened.Task.WaitAsync(Cap);
            var after = node.Cameras.ToDictionary(c => c.Options.Id, c => c.Lane.Processed);
            await UntilAsync(() => Task.FromResult(node.Cameras.All(c => c.Lane.Processed >= after[c.Options.Id] + 5)));

            string metrics = await MetricsAsync(http);
            Assert.Equal(1, Counter(metrics, "edgesentry_faults_total", "stage=\"detect\""));
            Assert.Equal(1, node.Supervisor.Faults);
            Assert.Equal(0, node.Supervisor.Restarts);
            Assert.All(node.Cameras, c => Assert.True(c.Lane.Processed > after[c.Options.Id]));
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Detect_HangsOnOneFrame_RecoveredWithinTwiceTheWatchdogLimitHealthDegradedThenOk()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var rtsp = await RtspServer.StartAsync(true, ("yard", "intel_worker_zone_preview_h264.mp4"), ("gym", "meva_school_gym_crowd_annotated_h264.mp4"));
        var options = Http.EdgeApplicationTests.Options(broker.Port, EdgeNodeTests.YardCamera("cam-a", rtsp.Url("yard")), EdgeNodeTests.YardCamera("cam-b", rtsp.Url("gym")));
        options.Detector.Workers = 1;
        options.Detector.WatchdogSeconds = 2;
        var limit = TimeSpan.FromSeconds(options.Detector.WatchdogSeconds);
        using var plan = new FaultPlan();
        await using var app = EdgeApplication.Build(options, NoLogs);
        var node = app.Services.GetRequiredService<EdgeNode>();
        node.DetectorDecorator = d => new FaultInjectingDetector(d, plan);
        var health = app.Services.GetRequiredService<EdgeHealth>();
        var reports = new List<EdgeHealthReport>();
        health.Changed += r =>
        {
            lock (reports)
            {
                reports.Add(r);
            }
        };
        var recovered = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Supervisor.Changed += () =>
        {
            if (node.Supervisor.WatchdogRecoveries > 0 && plan.Happened.Task.IsCompleted)
            {
                recovered.TrySetResult(plan.Happened.Task.Result.Elapsed);
            }
        };
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(10) };
            await UntilAsync(() => Task.FromResult(health.Current.Status == HealthStatus.Ok && node.Cameras.All(c => c.Lane.Processed > 0)));

            plan.ArmHang();
            await plan.Happened.Task.WaitAsync(Cap);
            var took = await recovered.Task.WaitAsync(Cap);
            var after = node.Cameras.ToDictionary(c => c.Options.Id, c => c.Lane.Processed);
            Assert.True(took <= 2 * limit, $"recovered after {took.TotalSeconds:0.00} s; the watchdog limit is {limit.TotalSeconds} s");

            // Degraded with the reason, then ok again once the new session works; every camera goes on.
            await UntilAsync(() => Task.FromResult(Snapshot(reports).Any(r => r.Reasons.Any(x => x.StartsWith("supervisor:", StringComparison.Ordinal) && x.Contains("hung", StringComparison.Ordinal)))));
            await UntilAsync(() => Task.FromResult(health.Current.Status == HealthStatus.Ok));
            var seen = Snapshot(reports);
            int degradedAt = seen.FindIndex(r => r.Status == HealthStatus.Degraded && r.Reasons.Any(x => x.Contains("hung", StringComparison.Ordinal)));
            Assert.Contains(seen.Skip(degradedAt + 1), r => r.Status == HealthStatus.Ok);
            await UntilAsync(() => Task.FromResult(node.Cameras.All(c => c.Lane.Processed >= after[c.Options.Id] + 5)));

            Assert.Equal(1, Counter(await MetricsAsync(http), "edgesentry_detector_watchdog_recoveries_total", "model=\"yolox_nano\"", "worker=\"0\""));
            Assert.Equal(1, node.Supervisor.WatchdogRecoveries);
        }
        finally
        {
            plan.Dispose();
            await app.StopAsync();
        }

        // The released call returned into its abandoned run, which disposed the old session; the new one closed at stop.
        await UntilAsync(() => Task.FromResult(Volatile.Read(ref plan.Disposed) == 2));
    }

    private static List<EdgeHealthReport> Snapshot(List<EdgeHealthReport> reports)
    {
        lock (reports)
        {
            return [.. reports];
        }
    }

    private static async Task<string> MetricsAsync(HttpClient http) => await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));

    /// <summary>The value of the one series of <paramref name="name"/> whose labels contain every label given; 0 when absent.</summary>
    private static double Counter(string exposition, string name, params string[] labels)
    {
        var values = exposition.Split('\n')
            .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(x => l.Contains(x, StringComparison.Ordinal)))
            .Select(l => double.Parse(SampleValue().Match(l).Groups[1].Value, CultureInfo.InvariantCulture))
            .ToList();
        Assert.True(values.Count <= 1, $"more than one series of {name}: {string.Join(", ", values)}");
        return values.Count == 0 ? 0 : values[0];
    }

    [GeneratedRegex(@"\}\s+(\S+)")]
    private static partial Regex SampleValue();

    private static void NoLogs(ILoggingBuilder logging) => logging.SetMinimumLevel(LogLevel.Warning);

    /// <summary>Polls a condition; <see cref="Cap"/> only guards against a hang.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < Cap, "condition not met within the hang guard");
            await Task.Delay(100);
        }
    }
}
