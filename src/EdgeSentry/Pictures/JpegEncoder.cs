using OpenCvSharp;

namespace EdgeSentry.Pictures;

/// <summary>
/// JPEG through OpenCV's imgcodecs (libjpeg-turbo inside the runtime package), quality 1-100, 4:2:0 chroma as the
/// alert contract states (set explicitly rather than left to OpenCV's default).
/// </summary>
public static class JpegEncoder
{
    // IMWRITE_JPEG_SAMPLING_FACTOR and IMWRITE_JPEG_SAMPLING_FACTOR_420: not in OpenCvSharp's ImwriteFlags enum.
    private const ImwriteFlags SamplingFactor = (ImwriteFlags)7;
    private const int Subsampling420 = 0x221111;

    public static byte[] Encode(Mat image, int quality)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        Cv2.ImEncode(".jpg", image, out byte[] jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, quality), new ImageEncodingParam(SamplingFactor, Subsampling420));
        if (jpeg.Length == 0)
        {
            throw new InvalidOperationException($"OpenCV could not encode a {image.Width}x{image.Height} image as JPEG");
        }

        return jpeg;
    }
}
