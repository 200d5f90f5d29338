using EdgeSentry.Pictures;
using OpenCvSharp;

namespace EdgeSentry.Tests.Pictures;

/// <summary>Decodes pictures with OpenCV and checks pixels within the tolerance a quality-80 4:2:0 JPEG allows.</summary>
internal static class PictureAssertions
{
    // JPEG at quality 80 with 4:2:0 chroma blurs colours near edges; 45 levels apart still tells red from grey.
    public const int Tolerance = 45;

    public static Mat Decode(byte[] encoded, int width, int height)
    {
        var decoded = Cv2.ImDecode(encoded, ImreadModes.Color);
        Assert.False(decoded.Empty(), "the bytes do not decode as an image");
        Assert.Equal((width, height), (decoded.Width, decoded.Height));
        return decoded;
    }

    public static BgrColor At(Mat image, int x, int y)
    {
        var v = image.At<Vec3b>(y, x);
        return new BgrColor(v.Item0, v.Item1, v.Item2);
    }

    public static bool Near(BgrColor actual, BgrColor expected, int tolerance = Tolerance) =>
        Math.Abs(actual.B - expected.B) <= tolerance && Math.Abs(actual.G - expected.G) <= tolerance && Math.Abs(actual.R - expected.R) <= tolerance;

    public static void AssertColour(Mat image, int x, int y, BgrColor expected, int tolerance = Tolerance)
    {
        var actual = At(image, x, y);
        Assert.True(Near(actual, expected, tolerance), $"pixel ({x},{y}) is {actual}, expected about {expected}");
    }

    /// <summary>How many pixels of <paramref name="region"/> are near <paramref name="colour"/>.</summary>
    public static int Count(Mat image, Rect region, BgrColor colour, int tolerance = Tolerance)
    {
        int n = 0;
        for (int y = region.Top; y < region.Bottom; y++)
        {
            for (int x = region.Left; x < region.Right; x++)
            {
                if (Near(At(image, x, y), colour, tolerance))
                {
                    n++;
                }
            }
        }

        return n;
    }

    public static byte[] Grey(int width, int height, byte level = 128)
    {
        byte[] frame = new byte[width * height * 3];
        frame.AsSpan().Fill(level);
        return frame;
    }
}
