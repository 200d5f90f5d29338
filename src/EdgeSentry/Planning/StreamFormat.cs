using System.Globalization;

namespace EdgeSentry.Planning;

/// <summary>A camera stream as the service decodes it: <c>WxH@fps</c>, e.g. <c>1920x1080@25</c> or <c>640x360@10</c>.</summary>
public sealed record StreamFormat(int Width, int Height, double FramesPerSecond)
{
    public static StreamFormat Parse(string text)
    {
        var at = text.Split('@', StringSplitOptions.TrimEntries);
        var size = at[0].Split('x', 'X');
        if (at.Length != 2 || size.Length != 2
            || !int.TryParse(size[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            || !int.TryParse(size[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            || !double.TryParse(at[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double fps))
        {
            throw new ArgumentException($"'{text}' is not a stream format WxH@fps (e.g. 1920x1080@25)");
        }

        // Even sizes: libx264 and the yuv420p scalers need them, and real cameras send them.
        if (w is < 16 or > 7680 || h is < 16 or > 4320 || w % 2 != 0 || h % 2 != 0)
        {
            throw new ArgumentException($"'{text}': width and height must be even and between 16x16 and 7680x4320");
        }

        if (fps is <= 0 or > 120)
        {
            throw new ArgumentException($"'{text}': fps must be in (0, 120]");
        }

        return new StreamFormat(w, h, fps);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Width}x{Height}@{FramesPerSecond:0.###}");
}
