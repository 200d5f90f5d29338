using EdgeSentry.Capture;
using EdgeSentry.Tests.Peers;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Tests.Diagnostics;

/// <summary>
/// Acceptance 4: every instrument that was declared but never recorded moves when its fault really happens —
/// a real RTSP server stopped (reconnect), frozen with SIGSTOP (stall), a consumer slower than the camera (drops).
/// Read through a real MeterListener, tagged with the camera.
/// </summary>
public class EdgeSentryMetricsTests
{
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Reconnects_RtspServerStopped_CountsReconnectForThatCamera()
    {
        using var capture = new MetricCapture();
        var server = await RtspServer.StartAsync(true, ("cars", "intel_parking_cars.mp4"));
        using var slot = new FreshestFrameSlot("cars-1");
        var source = Source("cars-1", server.Url("cars"), slot, capture, stall: TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource(Cap);
        var run = source.RunAsync(cts.Token);
        try
        {
            await FirstFrameAsync(source);
            Assert.Equal(0, capture.Sum("edgesentry.camera.reconnects", "cars-1"));

            await server.DisposeAsync();
            await capture.WaitUntilAsync(() => capture.Sum("edgesentry.camera.reconnects", "cars-1") >= 1, Cap);
        }
        finally
        {
            await server.DisposeAsync();
            await cts.CancelAsync();
            await run;
        }

        Assert.True(capture.Sum("edgesentry.camera.reconnects", "cars-1") >= 1);
        Assert.Equal(source.Reconnects, capture.Sum("edgesentry.camera.reconnects", "cars-1"));
        Assert.Equal(0, capture.Sum("edgesentry.camera.stalls", "cars-1"));
    }

    [Fact]
    public async Task Stalls_RtspServerFrozen_CountsStallForThatCamera()
    {
        using var capture = new MetricCapture();
        await using var server = await RtspServer.StartAsync(true, ("cars", "intel_parking_cars.mp4"));
        using var slot = new FreshestFrameSlot("cars-2");
        // A stall limit long enough for a loaded box to deliver the first frame; ffmpeg's own socket timeout far
        // longer still, so that only the watchdog can end the frozen stream (else it is a plain reconnect).
        var source = Source("cars-2", server.Url("cars"), slot, capture, stall: TimeSpan.FromSeconds(8), socketTimeout: TimeSpan.FromSeconds(120));
        using var cts = new CancellationTokenSource(Cap);
        var run = source.RunAsync(cts.Token);
        try
        {
            await FirstFrameAsync(source);
            Assert.Equal(0, capture.Sum("edgesentry.camera.stalls", "cars-2"));

            // The server stays connected but sends nothing: only the watchdog can notice.
            server.Signal("STOP");
            await capture.WaitUntilAsync(() => capture.Sum("edgesentry.camera.stalls", "cars-2") >= 1, Cap);
        }
        finally
        {
            server.Signal("CONT");
            await cts.CancelAsync();
            await run;
        }

        // Recorded where the watchdog counts it, once per stall, on this camera only.
        Assert.Equal(source.Stalls, capture.Sum("edgesentry.camera.stalls", "cars-2"));
        Assert.True(source.Stalls >= 1);
    }

    [Fact]
    public async Task FramesDropped_ConsumerSlowerThanCamera_CountsEveryReplacedFrame()
    {
        // intel_worker_zone_preview_h264.mp4: 71 frames decoded as fast as ffmpeg can, taken every fifth frame.
        using var capture = new MetricCapture();
        using var slot = new FreshestFrameSlot("yard-3", capture.Metrics);
        int offered = 0;
        int taken = 0;
        var source = new CameraSource(
            new CameraSourceOptions { CameraId = "yard-3", Input = new CameraInput { Location = SharedPaths.Clip("intel_worker_zone_preview_h264.mp4") } },
            slot, TimeProvider.System, NullLogger.Instance, capture.Metrics);
        source.FrameDecoded += _ =>
        {
            // Runs before the frame enters the slot: the slow consumer takes one in five of what is there.
            if (++offered % 5 == 0 && slot.Take() is { } f)
            {
                taken++;
                f.Dispose();
            }
        };
        using var cts = new CancellationTokenSource(Cap);

        await source.RunAsync(cts.Token);

        long dropped = capture.Sum("edgesentry.frames.dropped", "yard-3");
        Assert.Equal(71, offered);
        Assert.True(dropped > 0);
        Assert.Equal(slot.Dropped, dropped);
        // Every frame is either taken, dropped, or the last one still in the slot.
        Assert.Equal(71, dropped + taken + (slot.HasFrame ? 1 : 0));
    }

    [Fact]
    public async Task LoopRestarts_SupervisedLoopThrowsOnce_CountedOnceForThatLoop()
    {
        using var capture = new MetricCapture();
        var time = new ManualTimeProvider();
        var supervisor = new EdgeSentry.Pipeline.Supervisor(time, metrics: capture.Metrics, options: new EdgeSentry.Pipeline.SupervisorOptions { InitialBackoff = TimeSpan.FromSeconds(1) });
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondRun = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        supervisor.Changed += () =>
        {
            if (supervisor.Health.Status == EdgeSentry.Diagnostics.HealthStatus.Degraded)
            {
                failed.TrySetResult();
            }
        };
        int runs = 0;
        using var stop = new CancellationTokenSource();
        Task running = supervisor.RunAsync("sender", async ct =>
        {
            if (Interlocked.Increment(ref runs) == 1)
            {
                throw new InvalidOperationException("boom");
            }

            secondRun.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, time, ct);
        }, mayComplete: false, stop.Token);

        await failed.Task.WaitAsync(Cap);
        Assert.Equal(0, capture.Sum("edgesentry.loop.restarts"));
        time.Advance(TimeSpan.FromSeconds(1));
        await secondRun.Task.WaitAsync(Cap);
        await stop.CancelAsync();
        await running.WaitAsync(Cap);

        Assert.Equal(1, capture.Sum("edgesentry.loop.restarts"));
        Assert.Equal(supervisor.Restarts, capture.Sum("edgesentry.loop.restarts"));
    }

    private static Task FirstFrameAsync(CameraSource source)
    {
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.FrameDecoded += _ => first.TrySetResult();
        return source.FramesDecoded > 0 ? Task.CompletedTask : first.Task.WaitAsync(Cap);
    }

    private static CameraSource Source(string id, string url, FreshestFrameSlot slot, MetricCapture capture, TimeSpan stall, TimeSpan? socketTimeout = null) => new(
        new CameraSourceOptions
        {
            CameraId = id,
            Input = new CameraInput { Location = url, SocketTimeout = socketTimeout ?? TimeSpan.FromSeconds(5) },
            StallTimeout = stall,
            BackoffInitial = TimeSpan.FromMilliseconds(200),
            BackoffMax = TimeSpan.FromSeconds(1),
        },
        slot, TimeProvider.System, NullLogger.Instance, capture.Metrics);
}
