using EdgeSentry.Capture;
using EdgeSentry.Pictures;
using EdgeSentry.Tests.Detection;
using OpenCvSharp;

namespace EdgeSentry.Tests.Pictures;

public class JpegEncoderTests
{
    [Fact]
    public void Encode_RealFrame_RoundTripDecodesToFrameSizeWithPsnrAbove30()
    {
        var frame = TestFrames.Load("vtest_f0200.png");
        using var source = new Mat(frame.Height, frame.Width, MatType.CV_8UC3);
        SnapshotRenderer.CopyInto(new BgrImage(frame.Pixels, frame.Width, frame.Height), source);

        byte[] jpeg = JpegEncoder.Encode(source, 85);
        using Mat decoded = PictureAssertions.Decode(jpeg, frame.Width, frame.Height);

        Assert.Equal(new byte[] { 0xFF, 0xD8 }, jpeg[..2]);
        Assert.True(jpeg.Length < frame.Pixels.Length / 5, $"{jpeg.Length} bytes for {frame.Pixels.Length} raw");
        double psnr = Cv2.PSNR(source, decoded);
        Assert.True(psnr > 30, $"PSNR {psnr:0.0} dB");
    }

    [Fact]
    public void Encode_LowerQuality_FewerBytes()
    {
        var frame = TestFrames.Load("vtest_f0200.png");
        using var source = new Mat(frame.Height, frame.Width, MatType.CV_8UC3);
        SnapshotRenderer.CopyInto(new BgrImage(frame.Pixels, frame.Width, frame.Height), source);

        int q30 = JpegEncoder.Encode(source, 30).Length;
        int q90 = JpegEncoder.Encode(source, 90).Length;

        Assert.True(q30 < q90 * 0.6, $"quality 30: {q30} bytes, quality 90: {q90} bytes");
    }

    [Fact]
    public void Encode_QualityOutOfRange_Throws()
    {
        using var image = new Mat(4, 4, MatType.CV_8UC3);
        Assert.Throws<ArgumentOutOfRangeException>(() => JpegEncoder.Encode(image, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => JpegEncoder.Encode(image, 101));
    }
}
