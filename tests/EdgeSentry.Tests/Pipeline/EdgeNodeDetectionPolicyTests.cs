using System.Text.Json;
using EdgeSentry.Motion;
using EdgeSentry.Pipeline;
using EdgeSentry.Tests.Motion;
using EdgeSentry.Tests.Peers;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Tests.Pipeline;

/// <summary>The detection policy wired end to end: file cameras through ffmpeg, the gate at the slot, the detector, stats over mosquitto.</summary>
public class EdgeNodeDetectionPolicyTests
{
    [Fact]
    public async Task RunAsync_StillSceneUnderMotionPolicy_DetectsKeepAliveFramesOnlyAndReportsTheSkipped()
    {
        string dir = Directory.CreateTempSubdirectory("edgesentry-still-").FullName;
        try
        {
            string still = FootageFrames.WriteStillClip(Path.Combine(dir, "still.mp4"));
            await using var broker = await MosquittoBroker.StartAsync();
            await using var subscriber = await MqttTestSubscriber.StartAsync(broker, "edgesentry/v1/edges/edge-test/stats");
            // The same still scene twice: today's every-frame policy next to the motion policy, in one run.
            var everyFrame = EdgeNodeTests.YardCamera("still-old", still);
            var motion = EdgeNodeTests.YardCamera("still-new", still);
            everyFrame.Loop = motion.Loop = true;
            motion.Detection = new DetectionPolicySection { Policy = "motion", KeepAliveSeconds = 2 };
            var options = EdgeNodeTests.Options(broker.Port, everyFrame, motion);
            options.StatsIntervalSeconds = 1;
            var node = new EdgeNode(options, TimeProvider.System, NullLoggerFactory.Instance);
            using var stop = new CancellationTokenSource();
            var run = node.RunAsync(stop.Token);
            var cap = MqttTestSubscriber.Cap(120);

            JsonElement Camera(JsonElement stats, string id) => stats.GetProperty("cameras").EnumerateArray().Single(c => c.GetProperty("cameraId").GetString() == id);
            var message = await subscriber.WaitForAsync(
                m =>
                {
                    using var d = JsonDocument.Parse(m.Payload);
                    return Camera(d.RootElement, "still-new").GetProperty("framesSkipped").GetInt64() >= 60;
                },
                cap);
            await stop.CancelAsync();
            await run;

            using var doc = JsonDocument.Parse(message.Payload);
            var old = Camera(doc.RootElement, "still-old");
            var gated = Camera(doc.RootElement, "still-new");
            long oldProcessed = old.GetProperty("framesProcessed").GetInt64();
            long newProcessed = gated.GetProperty("framesProcessed").GetInt64();
            Assert.Equal("motion", gated.GetProperty("detectionPolicy").GetString());
            Assert.Equal("every-frame", old.GetProperty("detectionPolicy").GetString());
            Assert.Equal(0, old.GetProperty("framesSkipped").GetInt64());
            Assert.Equal(0, gated.GetProperty("motionFraction").GetDouble());
            // 10 fps against one keep-alive frame in 2 s: far fewer detector runs on the same picture.
            Assert.True(newProcessed * 3 <= oldProcessed, $"motion policy {newProcessed} detections, every frame {oldProcessed}");
            Assert.True(doc.RootElement.GetProperty("framesSkipped").GetInt64() >= 60);
            Assert.True(doc.RootElement.TryGetProperty("detectionsPerSecond", out _));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
