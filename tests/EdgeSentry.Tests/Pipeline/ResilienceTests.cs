using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
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

    /// <summary>
    /// cam-b's share of its decoded frames that detection processed over its next <paramref name="decodedFrames"/>
    /// decoded frames. The window is counted in cam-b's own frames, not wall-clock seconds, so a loaded box
    /// stretches it instead of skewing it.
    /// </summary>
    private static async Task<(long Decoded, long Processed)> ShareOverAsync(CameraRuntimeView camera, long decodedFrames, CancellationToken cap)
    {
        long decoded0 = camera.Decoded(), processed0 = camera.Processed();
        await WaitUntilAsync(() => camera.Decoded() - decoded0 >= decodedFrames, cap);
        return (camera.Decoded() - decoded0, camera.Processed() - processed0);
    }

    /// <summary>Polls a condition; <paramref name="cap"/> is only the hang guard.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cap)
    {
        while (!condition())
        {
            await Task.Delay(20, cap);
        }
    }

    private sealed record CameraRuntimeView(Func<long> Decoded, Func<long> Processed);

    [Fact]
    public async Task RtspServerKilled_CameraComesBackAndOtherCameraKeepsItsShareOfDetection()
    {
        const long Window = 125; // cam-b's frames per measurement: 5 s of the 25 fps clip when the box keeps up
        await using var broker = await MosquittoBroker.StartAsync();
        await using var sub = await MqttTestSubscriber.StartAsync(broker, "edgesentry/v1/edges/+/cameras/+/status");
        int portA = LocalPeer.FreePort();
        var serverA = await RtspServer.StartAsync(portA, true, ("a", "intel_indoor_people_one_by_one_h264.mp4"));
        await using var serverB = await RtspServer.StartAsync(true, ("b", "intel_parking_cars.mp4"));
        var options = EdgeNodeTests.Options(broker.Port, Camera("cam-a", serverA.Url("a")), Camera("cam-b", serverB.Url("b")));
        using var node = new EdgeNode(options, TimeProvider.System, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var run = node.RunAsync(stop.Token);
        var cap = MqttTestSubscriber.Cap(240);
        try
        {
            await node.Started.WaitAsync(cap);
            await WaitForStateAsync(sub, "cam-a", "online", cap);
            var a = node.Cameras.Single(c => c.Options.Id == "cam-a");
            var b = node.Cameras.Single(c => c.Options.Id == "cam-b");
            var viewB = new CameraRuntimeView(() => b.Source.FramesDecoded, () => b.Lane.Processed);

            // Warm-up (decoders running, JIT done) counted in frames: both cameras analysed a few.
            await WaitUntilAsync(() => a.Lane.Processed >= 10 && b.Lane.Processed >= 10, cap);
            var before = await ShareOverAsync(viewB, Window, cap);

            await serverA.DisposeAsync();
            await WaitForStateAsync(sub, "cam-a", "reconnecting", cap);
            // The outage lasts as long as this measurement: cam-a's server stays down until cam-b's window is full.
            var during = await ShareOverAsync(viewB, Window, cap);
            long framesBeforeReturn = a.Source.FramesDecoded;
            serverA = await RtspServer.StartAsync(portA, true, ("a", "intel_indoor_people_one_by_one_h264.mp4"));
            var returned = DateTime.UtcNow;
            await WaitForStateAsync(sub, "cam-a", "online", cap);
            await WaitUntilAsync(() => a.Source.FramesDecoded > framesBeforeReturn, cap);

            double shareBefore = (double)before.Processed / before.Decoded, shareDuring = (double)during.Processed / during.Decoded;
            output.WriteLine($"cam-b: {before.Processed}/{before.Decoded} decoded frames analysed before the outage (share {shareBefore:0.00}), {during.Processed}/{during.Decoded} during it (share {shareDuring:0.00}, ratio {shareDuring / shareBefore:0.00}); cam-a decoding again {(DateTime.UtcNow - returned).TotalSeconds:0.00} s after the server returned (not asserted); reconnects {a.Source.Reconnects}");

            Assert.True(before.Processed > 0, $"cam-b analysed nothing in {before.Decoded} decoded frames before the outage");
            // While cam-a is down it takes no detector turns, so cam-b's share can only rise; were the outage to
            // hold up the shared stage (a worker stuck on the dead camera, a reconnect blocking the scheduler),
            // it would fall towards 0. Half leaves room for other processes on a shared box taking CPU during one
            // window and not the other (each window is ~5 s; the full suite in parallel took it from 0.99 to 0.72
            // once, with cam-a's reconnect attempts' ffprobe runs competing too); a stalled stage is far below it.
            Assert.True(shareDuring >= 0.5 * shareBefore, $"cam-b's share of detection fell from {shareBefore:0.00} to {shareDuring:0.00} during cam-a's outage");
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
            await WaitUntilAsync(() => a.Lane.Processed >= 10, cap);

            server.Signal("STOP");
            stopped = true;
            var reconnecting = await WaitForStateAsync(sub, "cam-a", "reconnecting", cap);
            long framesWhileHung = a.Source.FramesDecoded;
            server.Signal("CONT");
            stopped = false;
            await WaitForStateAsync(sub, "cam-a", "online", cap);
            while (a.Source.FramesDecoded < framesWhileHung + 10)
            {
                await Task.Delay(50, cap);
            }

            string reason = Encoding.UTF8.GetString(reconnecting.Payload.Span);
            output.WriteLine($"stall time {Stall} s; reason: {reason}");
            Assert.True(a.Source.Stalls >= 1);
            var silent = Regex.Match(reason, @"no frame for (?<s>[0-9.]+) s");
            Assert.True(silent.Success, reason);
            // Not a wall-clock limit on how soon it is noticed (a loaded box delays the watchdog's timer), but
            // the watchdog must never fire before the camera was silent for the whole stall time.
            Assert.True(double.Parse(silent.Groups["s"].Value, CultureInfo.InvariantCulture) >= Stall, reason);
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
            // Warm-up counted in frames, not seconds: every decoder running and every camera analysed a few.
            await WaitUntilAsync(() => node.Cameras.All(c => c.Lane.Processed >= 20), MqttTestSubscriber.Cap(120));
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

            // The window ends when every camera has enough age samples for a p99 and quarters, however long a
            // loaded box needs; the limits below are relative to the detection interval measured in this window.
            await WaitUntilAsync(() => ages.Values.All(l => { lock (l) { return l.Count >= 400; } }), MqttTestSubscriber.Cap(600));
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
