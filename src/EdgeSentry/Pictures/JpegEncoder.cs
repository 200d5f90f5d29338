using OpenCvSharp;

namespace EdgeSentry.Pictures;

/// <summary>JPEG through OpenCV's imgcodecs (libjpeg-turbo inside the runtime package), quality 1-100.</summary>
public static class JpegEncoder
{
    public static byte[] Encode(Mat image, int quality)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        Cv2.ImEncode(".jpg", image, out byte[] jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, quality));
        if (jpeg.Length == 0)
        {
            throw new InvalidOperationException($"OpenCV could not encode a {image.Width}x{image.Height} image as JPEG");
        }

        return jpeg;
    }
}
