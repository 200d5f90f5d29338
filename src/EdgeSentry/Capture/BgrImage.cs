namespace EdgeSentry.Capture;

/// <summary>
/// A borrowed view of packed BGR24 pixels (ffmpeg's bgr24: 3 bytes per pixel, rows of
/// <see cref="Stride"/> bytes). It never owns the memory: the frame it comes from does.
/// </summary>
public readonly ref struct BgrImage
{
    public BgrImage(ReadOnlySpan<byte> pixels, int width, int height, int stride = 0)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be positive");
        }

        stride = stride == 0 ? width * 3 : stride;
        if (stride < width * 3 || pixels.Length < ((long)stride * (height - 1)) + (width * 3))
        {
            throw new ArgumentException($"{pixels.Length} bytes cannot hold a {width}x{height} BGR image with stride {stride}", nameof(pixels));
        }

        Pixels = pixels;
        Width = width;
        Height = height;
        Stride = stride;
    }

    public ReadOnlySpan<byte> Pixels { get; }
    public int Width { get; }
    public int Height { get; }
    public int Stride { get; }

    public ReadOnlySpan<byte> Row(int y) => Pixels.Slice(y * Stride, Width * 3);
}
