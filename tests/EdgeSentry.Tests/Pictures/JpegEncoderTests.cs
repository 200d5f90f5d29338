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
    public void Encode_Always_LumaSampled2x2AndChroma1x1As420()
    {
        using var image = new Mat(48, 64, MatType.CV_8UC3, new Scalar(30, 120, 200));

        byte[] jpeg = JpegEncoder.Encode(image, 80);

        // The baseline frame header (SOF0: FF C0, length, precision, height, width, components, then per component
        // id, sampling factors HV, table): 4:2:0 is Y 0x22 and Cb, Cr 0x11.
        int sof = jpeg.AsSpan().IndexOf(new byte[] { 0xFF, 0xC0 });
        Assert.True(sof >= 0, "no baseline SOF0 marker");
        Assert.Equal((48, 64, 3), ((jpeg[sof + 5] << 8) | jpeg[sof + 6], (jpeg[sof + 7] << 8) | jpeg[sof + 8], (int)jpeg[sof + 9]));
        Assert.Equal((0x22, 0x11, 0x11), (jpeg[sof + 11], jpeg[sof + 14], jpeg[sof + 17]));
    }

    [Fact]
    public void Encode_QualityOutOfRange_Throws()
    {
        using var image = new Mat(4, 4, MatType.CV_8UC3);
        Assert.Throws<ArgumentOutOfRangeException>(() => JpegEncoder.Encode(image, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => JpegEncoder.Encode(image, 101));
    }
}
