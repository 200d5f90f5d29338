using EdgeSentry.Capture;
using EdgeSentry.Tests.Peers;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Tests.Capture;

public class CameraSourceTests
{
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RunAsync_File_DecodesEveryFrameThenEnds()
    {
        // intel_worker_zone_preview_h264.mp4: 71 frames, 480x270 (shared/footage/PROVENANCE.md).
        using var slot = new FreshestFrameSlot("yard");
        var source = new CameraSource(
            new CameraSourceOptions { CameraId = "yard", Input = new CameraInput { Location = SharedPaths.Clip("intel_worker_zone_preview_h264.mp4") } },
            slot, TimeProvider.System, NullLogger.Instance);
        var states = new List<CameraState>();
        source.StateChanged += (_, s, _) => states.Add(s);
        using var cts = new CancellationTokenSource(Cap);

        await source.RunAsync(cts.Token);

        Assert.Equal(71, source.FramesDecoded);
        Assert.Equal(new[] { CameraState.Online, CameraState.Ended }, states);
        Assert.Equal(480, source.Source!.Width);
        using var last = slot.Take();
        Assert.NotNull(last);
        Assert.Equal(70, last.Sequence);
        Assert.Equal(70 / 15.0, last.PtsSeconds, 3);
        Assert.Equal(70, slot.Dropped);
    }

    [Fact]
    public async Task RunAsync_RtspStream_DeliversFramesAndGoesOnline()
    {
        await using var server = await RtspServer.StartAsync(false, ("cars", "intel_parking_cars.mp4"));
        using var slot = new FreshestFrameSlot("cars");
        var source = new CameraSource(
            new CameraSourceOptions { CameraId = "cars", Input = new CameraInput { Location = server.Url("cars") } },
            slot, TimeProvider.System, NullLogger.Instance);
        using var cts = new CancellationTokenSource(Cap);
        var gotFrames = new TaskCompletionSource();
        source.FrameDecoded += s =>
        {
            if (s.FramesDecoded >= 25)
            {
                gotFrames.TrySetResult();
            }
        };

        var run = source.RunAsync(cts.Token);
        await gotFrames.Task.WaitAsync(cts.Token);
        await cts.CancelAsync();
        await run;

        Assert.True(source.FramesDecoded >= 25);
        Assert.Equal(768, source.Source!.Width);
        Assert.Equal(432, source.Source.Height);
    }

    [Fact]
    public async Task RunAsync_UnreachableRtsp_ReportsRedactedReasonAndKeepsRetrying()
    {
        int port = EdgeSentry.Demo.LocalPeer.FreePort();
        using var slot = new FreshestFrameSlot("gate");
        var source = new CameraSource(
            new CameraSourceOptions
            {
                CameraId = "gate",
                Input = new CameraInput { Location = $"rtsp://admin:s3cret@127.0.0.1:{port}/live" },
                BackoffInitial = TimeSpan.FromMilliseconds(50),
                BackoffMax = TimeSpan.FromMilliseconds(100),
            },
            slot, TimeProvider.System, NullLogger.Instance);
        var reasons = new List<string?>();
        var twoFailures = new TaskCompletionSource();
        source.StateChanged += (s, _, reason) =>
        {
            lock (reasons)
            {
                reasons.Add(reason);
            }
        };
        using var cts = new CancellationTokenSource(Cap);
        var run = source.RunAsync(cts.Token);
        while (source.Reconnects < 2 && !cts.IsCancellationRequested)
        {
            await Task.Delay(50, cts.Token);
        }

        await cts.CancelAsync();
        await run;

        Assert.True(source.Reconnects >= 2);
        Assert.NotNull(source.LastError);
        Assert.Contains("Connection refused", source.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"127.0.0.1:{port}", source.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", source.LastError, StringComparison.Ordinal);
        Assert.All(reasons, r => Assert.DoesNotContain("s3cret", r ?? string.Empty, StringComparison.Ordinal));
        Assert.Equal(0, source.FramesDecoded);
    }
}
