using System.Text;
using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Configuration;
using EdgeSentry.Demo;
using EdgeSentry.Pipeline;
using EdgeSentry.Tests.Peers;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace EdgeSentry.Tests.Pipeline;

/// <summary>Issue 4's acceptance: outages, hangs and overload with the real RTSP server, ffmpeg, model and broker.</summary>
[Collection(ExclusiveCollection.Name)]
public class ResilienceTests(ITestOutputHelper output)
{
    private static CameraSection Camera(string id, string url, double? maxFps = null, double stallSeconds = 10, bool loop = false) => new()
    {
        Id = id,
        Url = url,
        GridId = "grid-1",
        MaxFps = maxFps,
        StallSeconds = stallSeconds,
        Loop = loop,
        Realtime = true,
        ReconnectMaxSeconds = 1,
    };

    private static async Task<MqttMessage> WaitForStateAsync(MqttTestSubscriber sub, string cameraId, string state, CancellationToken cap)
        => await sub.WaitForAsync(m => m.Topic.EndsWith($"/cameras/{cameraId}/status", StringComparison.Ordinal) && State(m) == state, cap);

    private static string State(MqttMessage m)
    {
        using var doc = JsonDocument.Parse(m.Payload);
        return doc.RootElement.GetProperty("state").GetString()!;
    }

    private static async Task<long> CountOverAsync(Func<long> counter, TimeSpan window)
    {
        long before = counter();
        await Task.Delay(window);
        return counter() - before;
    }

    [Fact]
    public async Task RtspServerKilledForTenSeconds_CameraComesBackAndOtherCameraKeepsItsRate()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var sub = await MqttTestSubscriber.StartAsync(broker, "edgesentry/v1/edges/+/cameras/+/status");
        int portA = LocalPeer.FreePort();
        var serverA = await RtspServer.StartAsync(portA, true, ("a", "intel_indoor_people_one_by_one_h264.mp4"));
        await using var serverB = await RtspServer.StartAsync(true, ("b", "intel_parking_cars.mp4"));
        var options = EdgeNodeTests.Options(broker.Port, Camera("cam-a", serverA.Url("a")), Camera("cam-b", serverB.Url("b")));
        using var node = new EdgeNode(options, TimeProvider.System, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var run = node.RunAsync(stop.Token);
        var cap = MqttTestSubscriber.Cap(180);
        try
        {
            await node.Started.WaitAsync(cap);
            await WaitForStateAsync(sub, "cam-a", "online", cap);
            var a = node.Cameras.Single(c => c.Options.Id == "cam-a");
            var b = node.Cameras.Single(c => c.Options.Id == "cam-b");
            await Task.Delay(TimeSpan.FromSeconds(3), cap);
            long baseline = await CountOverAsync(() => b.Lane.Processed, TimeSpan.FromSeconds(10));

            await serverA.DisposeAsync();
            var outage = CountOverAsync(() => b.Lane.Processed, TimeSpan.FromSeconds(10));
            await WaitForStateAsync(sub, "cam-a", "reconnecting", cap);
            long duringOutage = await outage;
            long framesBeforeReturn = a.Source.FramesDecoded;
            serverA = await RtspServer.StartAsync(portA, true, ("a", "intel_indoor_people_one_by_one_h264.mp4"));
            var returned = DateTime.UtcNow;
            await WaitForStateAsync(sub, "cam-a", "online", cap);
            while (a.Source.FramesDecoded == framesBeforeReturn)
            {
                await Task.Delay(20, cap);
            }

            var recovery = DateTime.UtcNow - returned;
            output.WriteLine($"cam-b processed {baseline} frames in 10 s before the outage and {duringOutage} during it; cam-a's first frame {recovery.TotalSeconds:0.00} s after the server returned; reconnects {a.Source.Reconnects}");

            Assert.True(baseline > 50, $"cam-b processed only {baseline} frames in 10 s");
            Assert.InRange(duringOutage, (long)(baseline * 0.9), (long)Math.Ceiling(baseline * 1.1));
            Assert.True(recovery <= TimeSpan.FromSeconds(5), $"cam-a needed {recovery.TotalSeconds:0.00} s after the server's return");
            Assert.True(a.Source.Reconnects >= 1);
        }
        finally
        {
            await stop.CancelAsync();
            await run;
            await serverA.DisposeAsync();
        }
    }

    [Fact]
    public async Task RtspServerHung_WatchdogRestartsDecoderAndCameraRecoversAfterContinue()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var sub = await MqttTestSubscriber.StartAsync(broker, "edgesentry/v1/edges/+/cameras/+/status");
        await using var server = await RtspServer.StartAsync(true, ("a", "intel_parking_cars.mp4"));
        const double Stall = 3;
        var options = EdgeNodeTests.Options(broker.Port, Camera("cam-a", server.Url("a"), stallSeconds: Stall));
        using var node = new EdgeNode(options, TimeProvider.System, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var run = node.RunAsync(stop.Token);
        var cap = MqttTestSubscriber.Cap(120);
        bool stopped = false;
        try
        {
            await WaitForStateAsync(sub, "cam-a", "online", cap);
            var a = node.Cameras.Single();
            await Task.Delay(TimeSpan.FromSeconds(2), cap);

            server.Signal("STOP");
            stopped = true;
            var hungAt = DateTime.UtcNow;
            var reconnecting = await WaitForStateAsync(sub, "cam-a", "reconnecting", cap);
            var noticed = DateTime.UtcNow - hungAt;
            long framesWhileHung = a.Source.FramesDecoded;
            server.Signal("CONT");
            stopped = false;
            await WaitForStateAsync(sub, "cam-a", "online", cap);
            while (a.Source.FramesDecoded < framesWhileHung + 10)
            {
                await Task.Delay(50, cap);
            }

            output.WriteLine($"stall noticed {noticed.TotalSeconds:0.00} s after SIGSTOP (stall time {Stall} s); reason: {Encoding.UTF8.GetString(reconnecting.Payload.Span)}");
            Assert.True(a.Source.Stalls >= 1);
            Assert.Contains("no frame for", Encoding.UTF8.GetString(reconnecting.Payload.Span), StringComparison.Ordinal);
            // The watchdog looks every stall/4; the last frame came at most one frame interval before SIGSTOP.
            Assert.True(noticed < TimeSpan.FromSeconds(Stall * 2), $"stall noticed only after {noticed.TotalSeconds:0.0} s");
        }
        finally
        {
            if (stopped)
            {
                server.Signal("CONT");
            }

            await stop.CancelAsync();
            await run;
        }
    }

    [Fact]
    public async Task SixCamerasFasterThanDetection_FrameAgeStaysBoundedAndDropsAreCounted()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        string[] clips = ["intel_parking_cars.mp4", "intel_indoor_people_one_by_one_h264.mp4", "meva_school_gym_crowd_annotated_h264.mp4", "intel_worker_zone_preview_h264.mp4", "intel_parking_cars.mp4", "meva_school_gym_crowd_annotated_h264.mp4"];
        var cameras = clips.Select((clip, i) => Camera($"cam-{i}", SharedPaths.Clip(clip), loop: true)).ToArray();
        var options = EdgeNodeTests.Options(broker.Port, cameras);
        using var node = new EdgeNode(options, TimeProvider.System, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var run = node.RunAsync(stop.Token);
        var ages = cameras.ToDictionary(c => c.Id, _ => new List<(DateTime At, double AgeMs)>());
        try
        {
            await node.Started.WaitAsync(MqttTestSubscriber.Cap(60));
            await Task.Delay(TimeSpan.FromSeconds(10)); // warm-up: all decoders running, JIT done
            var started = DateTime.UtcNow;
            var counts = node.Cameras.ToDictionary(c => c.Options.Id, c => (c.Lane.Processed, c.Slot.Dropped, c.Source.FramesDecoded));
            foreach (var cam in node.Cameras)
            {
                var list = ages[cam.Options.Id];
                cam.Lane.FrameProcessed += (_, age) =>
                {
                    lock (list)
                    {
                        list.Add((DateTime.UtcNow, age.TotalMilliseconds));
                    }
                };
            }

            await Task.Delay(TimeSpan.FromMinutes(2));
            var seconds = (DateTime.UtcNow - started).TotalSeconds;
            var report = new StringBuilder();
            foreach (var cam in node.Cameras)
            {
                var id = cam.Options.Id;
                var (p0, d0, f0) = counts[id];
                long processed = cam.Lane.Processed - p0;
                long dropped = cam.Slot.Dropped - d0;
                long decoded = cam.Source.FramesDecoded - f0;
                List<double> sorted;
                List<(DateTime At, double AgeMs)> samples;
                lock (ages[id])
                {
                    samples = [.. ages[id]];
                }

                sorted = [.. samples.Select(s => s.AgeMs).Order()];
                double interval = seconds * 1000 / processed;
                double p50 = sorted[sorted.Count / 2];
                double p99 = sorted[(int)Math.Ceiling(sorted.Count * 0.99) - 1];
                // Creep check: the last quarter's typical age is no worse than the first quarter's.
                int q = samples.Count / 4;
                double firstQ = samples.Take(q).Select(s => s.AgeMs).Order().ElementAt(q / 2);
                double lastQ = samples.Skip(samples.Count - q).Select(s => s.AgeMs).Order().ElementAt(q / 2);
                report.AppendLine($"{id}: decoded {decoded}, processed {processed}, dropped {dropped}; detection interval {interval:0.0} ms; age p50 {p50:0.0} ms, p99 {p99:0.0} ms; median age first quarter {firstQ:0.0} ms, last quarter {lastQ:0.0} ms");
                Assert.True(p99 <= 2 * interval, $"{id}: p99 age {p99:0.0} ms > 2 x detection interval {interval:0.0} ms\n{report}");
                Assert.True(lastQ <= (firstQ * 1.5) + 20, $"{id}: frame age creeps up ({firstQ:0.0} -> {lastQ:0.0} ms)\n{report}");
                // Every decoded frame is either processed or dropped (a couple may be in flight at the ends).
                Assert.InRange(decoded - processed - dropped, -3, 3);
            }

            output.WriteLine(report.ToString());
            Assert.True(node.Cameras.Sum(c => c.Slot.Dropped) > 0, "detection kept up with six cameras: no overload to test\n" + report);
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }
}
