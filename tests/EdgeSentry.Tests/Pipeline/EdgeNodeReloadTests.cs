using System.Text;
using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Pipeline;
using EdgeSentry.Tests.Peers;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Tests.Pipeline;

/// <summary>Cameras changed at run time, and the orderly stop, with the real peers.</summary>
public class EdgeNodeReloadTests
{
    private static string Text(EdgeSentry.Alerts.MqttMessage m) => Encoding.UTF8.GetString(m.Payload.Span);

    [Fact]
    public async Task ReloadAsync_CameraAddedThenRemoved_OtherCameraUntouchedAndRemovedCameraIncidentsEnd()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var sub = await MqttTestSubscriber.StartAsync(broker, "edgesentry/v1/#");
        var clip = SharedPaths.Clip("intel_worker_zone_preview_h264.mp4");
        var first = EdgeNodeTests.YardCamera("yard-1", clip);
        first.Loop = true;
        var options = EdgeNodeTests.Options(broker.Port, first);
        using var node = new EdgeNode(options, TimeProvider.System, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var run = node.RunAsync(stop.Token);
        var cap = MqttTestSubscriber.Cap(120);
        try
        {
            await node.Started.WaitAsync(cap);
            var yard1 = node.Cameras.Single();

            var second = EdgeNodeTests.YardCamera("yard-2", clip);
            second.Loop = true;
            var grown = EdgeNodeTests.Options(broker.Port, EdgeNodeTests.YardCamera("yard-1", clip), second);
            grown.Cameras[0].Loop = true;
            grown.Outbox = options.Outbox;
            var added = await node.ReloadAsync(grown);
            Assert.Equal(["yard-2"], added.Added);
            Assert.Empty(added.Changed);
            Assert.Same(yard1, node.Cameras.Single(c => c.Options.Id == "yard-1"));
            var started2 = await sub.WaitForAsync(m => m.Topic == AlertTopics.Alerts("grid-7", "edge-test", "yard-2") && Text(m).Contains("\"started\"", StringComparison.Ordinal), cap);
            using var startedDoc = JsonDocument.Parse(started2.Payload);
            string incidentId = startedDoc.RootElement.GetProperty("incidentId").GetString()!;

            long yard1Frames = yard1.Lane.Processed;
            var shrunk = EdgeNodeTests.Options(broker.Port, EdgeNodeTests.YardCamera("yard-1", clip));
            shrunk.Cameras[0].Loop = true;
            shrunk.Outbox = options.Outbox;
            var removed = await node.ReloadAsync(shrunk);
            Assert.Equal(["yard-2"], removed.Removed);
            var ended = await sub.WaitForAsync(m => m.Topic == AlertTopics.Alerts("grid-7", "edge-test", "yard-2") && Text(m).Contains(incidentId, StringComparison.Ordinal) && Text(m).Contains("\"ended\"", StringComparison.Ordinal), cap);
            Assert.NotNull(ended);
            while (yard1.Lane.Processed < yard1Frames + 10)
            {
                await Task.Delay(50, cap);
            }

            Assert.Single(node.Cameras);
            Assert.Same(yard1, node.Cameras.Single());
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }

    [Fact]
    public async Task ReloadAsync_DetectorChanged_ReportsRestartNeededAndKeepsRunning()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var options = EdgeNodeTests.Options(broker.Port, EdgeNodeTests.YardCamera("yard-1", SharedPaths.Clip("intel_worker_zone_preview_h264.mp4")));
        using var node = new EdgeNode(options, TimeProvider.System, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var run = node.RunAsync(stop.Token);
        try
        {
            await node.Started.WaitAsync(MqttTestSubscriber.Cap(60));
            var next = EdgeNodeTests.Options(broker.Port, EdgeNodeTests.YardCamera("yard-1", SharedPaths.Clip("intel_worker_zone_preview_h264.mp4")));
            next.Outbox = options.Outbox;
            next.Detector.IntraOpThreads = 2;

            var summary = await node.ReloadAsync(next);

            Assert.Equal(["detector"], summary.NeedRestart);
            Assert.Empty(summary.Added);
            Assert.Empty(summary.Removed);
            Assert.Empty(summary.Changed);
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }

    [Fact]
    public async Task RunAsync_StoppedWhileIncidentOpen_EndsItAndLeavesStoppedStatus()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var sub = await MqttTestSubscriber.StartAsync(broker, "edgesentry/v1/#");
        var camera = EdgeNodeTests.YardCamera("yard-1", SharedPaths.Clip("intel_worker_zone_preview_h264.mp4"));
        camera.Loop = true;
        camera.Analytics.Rules[0].HoldSeconds = 60; // the incident cannot end by itself before the stop
        var options = EdgeNodeTests.Options(broker.Port, camera);
        using var node = new EdgeNode(options, TimeProvider.System, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var run = node.RunAsync(stop.Token);
        var cap = MqttTestSubscriber.Cap(120);

        var started = await sub.WaitForAsync(m => m.Topic.StartsWith("edgesentry/v1/alerts/", StringComparison.Ordinal) && Text(m).Contains("\"started\"", StringComparison.Ordinal), cap);
        await stop.CancelAsync();
        await run;
        var ended = await sub.WaitForAsync(m => m.Topic.StartsWith("edgesentry/v1/alerts/", StringComparison.Ordinal) && Text(m).Contains("\"ended\"", StringComparison.Ordinal), cap);
        var stopped = await sub.WaitForAsync(m => m.Topic == "edgesentry/v1/edges/edge-test/status" && Text(m).Contains("\"stopped\"", StringComparison.Ordinal), cap);

        using var s = JsonDocument.Parse(started.Payload);
        using var e = JsonDocument.Parse(ended.Payload);
        Assert.Equal(s.RootElement.GetProperty("incidentId").GetString(), e.RootElement.GetProperty("incidentId").GetString());
        Assert.True(e.RootElement.GetProperty("sequence").GetInt32() > 1);
        Assert.True(e.RootElement.GetProperty("durationSeconds").GetDouble() >= 0);
        Assert.NotNull(stopped);
        // The stop drained the outbox while the broker was up: nothing is left for the next run.
        Assert.Equal(0, node.Outbox!.Depth);
    }
}
