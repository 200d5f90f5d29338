using EdgeSentry.Capture;

namespace EdgeSentry.Tests.Capture;

public class FfmpegArgumentsTests
{
    [Fact]
    public void DecodeSize_NoLimit_KeepsSourceSize()
    {
        Assert.Equal((1920, 1080), FfmpegArguments.DecodeSize(1920, 1080, null, 832));
    }

    [Fact]
    public void DecodeSize_LargeStream_ShrinksKeepingAspect()
    {
        Assert.Equal((1280, 720), FfmpegArguments.DecodeSize(1920, 1080, 1280, 832));
    }

    [Fact]
    public void DecodeSize_LimitBelowTwiceModelInput_StopsAtTheFloor()
    {
        var (w, h) = FfmpegArguments.DecodeSize(1920, 1080, 320, 832);
        Assert.Equal(832, w);
        Assert.Equal(468, h);
    }

    [Fact]
    public void Decoder_RtspSource_UsesTcpTimeoutAndRawBgr()
    {
        var input = new CameraInput { Location = "rtsp://u:p@127.0.0.1:8554/cam" };
        var args = FfmpegArguments.Decoder(input, new VideoInfo(1920, 1080, 25, true), 1280, 720, 5);
        string line = string.Join(' ', args);
        Assert.Contains("-rtsp_transport tcp", line, StringComparison.Ordinal);
        Assert.Contains("-timeout 5000000", line, StringComparison.Ordinal);
        Assert.Contains("fps=5,scale=1280:720:flags=area", line, StringComparison.Ordinal);
        Assert.EndsWith("-f rawvideo -pix_fmt bgr24 pipe:1", line, StringComparison.Ordinal);
        Assert.DoesNotContain("-re", args);
    }

    [Fact]
    public void Decoder_LoopedRealtimeFile_ReadsAtNativeRateForever()
    {
        var input = new CameraInput { Location = "/clips/a.mp4", Realtime = true, Loop = true };
        var args = FfmpegArguments.Decoder(input, new VideoInfo(768, 432, 10, false), 768, 432, null);
        Assert.Contains("-re", args);
        Assert.Contains("-stream_loop", args);
        Assert.Contains("scale=768:432", args);
    }
}
