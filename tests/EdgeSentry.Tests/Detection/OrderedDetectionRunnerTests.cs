using EdgeSentry.Capture;
using EdgeSentry.Detection;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Detection;

using Detection = EdgeSentry.Detection.Detection;

/// <summary>K real detectors over real frames: frame order, losslessness and frame ownership when something fails.</summary>
public sealed class OrderedDetectionRunnerTests
{
    private const string Model = "yolox_nano.onnx";

    [Fact]
    public async Task Run_TwoWorkersOverClip_EmitsEveryFrameInOrderWithOneWorkersDetections()
    {
        var one = await DetectClipAsync(workers: 1, frames: 40);
        var two = await DetectClipAsync(workers: 2, frames: 40);

        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), two.Select(f => f.Index));
        Assert.Equal(one.Count, two.Count);
        for (int i = 0; i < one.Count; i++)
        {
            Assert.Equal(one[i].Detections, two[i].Detections);
        }

        Assert.Contains(two, f => f.Detections.Length > 0);
    }

    [Fact]
    public void Run_ReaderFails_RethrowsItAndEveryFrameIsBackInThePool()
    {
        var frame = TestFrames.Load("vtest_f0200.png");
        using var a = OnnxObjectDetector.Open(SharedPaths.Model(Model));
        using var b = OnnxObjectDetector.Open(SharedPaths.Model(Model));
        using var pool = new FramePool("test", frame.Width, frame.Height, 4);
        long emitted = 0;
        int reads = 0;

        var e = Assert.Throws<IOException>(() => new OrderedDetectionRunner([a, b], pool).Run(
            f =>
            {
                if (++reads == 7)
                {
                    throw new IOException("decoder pipe broke at frame 6");
                }

                frame.Pixels.AsSpan().CopyTo(f.Pixels);
                return true;
            },
            maxFrames: null,
            d => emitted++,
            CancellationToken.None));

        Assert.Equal("decoder pipe broke at frame 6", e.Message);
        Assert.InRange(emitted, 0, 6);
        Assert.Equal(pool.Capacity, pool.Available);
    }

    [Fact]
    public void Run_EmitFails_RethrowsItStopsTheReaderAndEveryFrameIsBackInThePool()
    {
        var frame = TestFrames.Load("vtest_f0200.png");
        using var a = OnnxObjectDetector.Open(SharedPaths.Model(Model));
        using var b = OnnxObjectDetector.Open(SharedPaths.Model(Model));
        using var pool = new FramePool("test", frame.Width, frame.Height, 4);
        int reads = 0;

        var e = Assert.Throws<InvalidOperationException>(() => new OrderedDetectionRunner([a, b], pool).Run(
            f =>
            {
                reads++;
                frame.Pixels.AsSpan().CopyTo(f.Pixels);
                return true;
            },
            maxFrames: null,
            d =>
            {
                if (d.Index == 3)
                {
                    throw new InvalidOperationException("disk full while writing frame 3");
                }
            },
            CancellationToken.None));

        Assert.Equal("disk full while writing frame 3", e.Message);

        // An endless source: only stopping the reader ends the run; the window bounds how far it got ahead.
        Assert.InRange(reads, 4, 4 + pool.Capacity);
        Assert.Equal(pool.Capacity, pool.Available);
    }

    [Fact]
    public void Run_MaxFrames_StopsReadingThere()
    {
        var frame = TestFrames.Load("vtest_f0600.png");
        using var a = OnnxObjectDetector.Open(SharedPaths.Model(Model));
        using var pool = new FramePool("test", frame.Width, frame.Height, 2);
        int reads = 0;
        var indices = new List<long>();

        long n = new OrderedDetectionRunner([a], pool).Run(
            f =>
            {
                reads++;
                frame.Pixels.AsSpan().CopyTo(f.Pixels);
                return true;
            },
            maxFrames: 5,
            d => indices.Add(d.Index),
            CancellationToken.None);

        Assert.Equal(5, n);
        Assert.Equal(5, reads);
        Assert.Equal([0L, 1, 2, 3, 4], indices);
    }

    private static async Task<List<(long Index, Detection[] Detections)>> DetectClipAsync(int workers, int frames)
    {
        var input = new CameraInput { Location = SharedPaths.Clip("meva_school_gym_crowd_annotated_h264.mp4") };
        var info = await VideoInfo.ProbeAsync(input, TimeSpan.FromSeconds(30), CancellationToken.None);
        var detectors = Enumerable.Range(0, workers).Select(_ => OnnxObjectDetector.Open(SharedPaths.Model(Model))).ToList();
        try
        {
            using var pool = new FramePool("test", info.Width, info.Height, 2 * workers);
            using var decoder = FfmpegDecoder.Start(input, info, info.Width, info.Height, null);
            var emitted = new List<(long, Detection[])>();
            new OrderedDetectionRunner(detectors, pool).Run(decoder.ReadFrame, frames, d => emitted.Add((d.Index, d.Detections.ToArray())), CancellationToken.None);
            return emitted;
        }
        finally
        {
            detectors.ForEach(d => d.Dispose());
        }
    }
}
