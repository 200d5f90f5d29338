using EdgeSentry.Planning;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Planning;

/// <summary>Real ffmpeg on the shared footage, with the service's decoder arguments.</summary>
public sealed class DecodeCostProbeTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("edgesentry-plan-probe-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task MeasureAsync_ClipAsItIs_ReadsFramesAtDetectionRateAndCountsDecoderCpu()
    {
        string clip = SharedPaths.Clip("intel_indoor_people_one_by_one_h264.mp4");

        var cost = await new DecodeCostProbe(_work).MeasureAsync(clip, null, detectionFps: 5, seconds: 6, CancellationToken.None);

        Assert.Equal(new StreamFormat(768, 432, 10), cost.Stream);
        Assert.Equal(5, cost.OutputFramesPerSecond);
        // The fps filter hands on 5 of the 10 frames per second: 30 frames for 6 s (give or take the edges).
        Assert.InRange(cost.FramesRead, 29, 31);
        Assert.InRange(cost.VideoSeconds, 5.8, 6.2);
        Assert.True(cost.DecoderCpuSeconds > 0, "ffmpeg's CPU was not counted");
        Assert.InRange(cost.CoresPerCamera, 0.001, 1.0);
    }

    [Fact]
    public async Task MeasureAsync_ReEncodedStream_DecodesAtThatSizeAndMorePixelsCostMore()
    {
        string clip = SharedPaths.Clip("intel_indoor_people_one_by_one_h264.mp4");
        var probe = new DecodeCostProbe(_work);

        // Side by side in one run: about 9x the pixels and 2.5x the frames must cost more CPU. Only the order is asserted:
        // on a saturated box ffmpeg's fixed start-up cost (linking, codec set-up) inflates both figures, so a tighter
        // ratio belongs to scripts/plan-check.sh on a quiet box, not to a unit test.
        var small = await probe.MeasureAsync(clip, StreamFormat.Parse("640x360@10"), 5, 4, CancellationToken.None);
        var large = await probe.MeasureAsync(clip, StreamFormat.Parse("1920x1080@25"), 5, 4, CancellationToken.None);

        Assert.Equal(new StreamFormat(640, 360, 10), small.Stream);
        Assert.Equal(new StreamFormat(1920, 1080, 25), large.Stream);
        Assert.InRange(large.FramesRead, 19, 21);
        Assert.True(large.CoresPerCamera > small.CoresPerCamera, $"1080p25 {large.CoresPerCamera:0.000} cores vs 360p10 {small.CoresPerCamera:0.000}");
    }
}
