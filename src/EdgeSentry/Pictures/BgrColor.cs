namespace EdgeSentry.Pictures;

/// <summary>A colour in OpenCV's channel order (blue, green, red), as the frames are stored.</summary>
public readonly record struct BgrColor(byte B, byte G, byte R)
{
    public static BgrColor Red => new(0, 0, 255);
    public static BgrColor Yellow => new(0, 255, 255);
    public static BgrColor Green => new(0, 200, 0);
    public static BgrColor Cyan => new(255, 255, 0);
    public static BgrColor Magenta => new(255, 0, 255);
    public static BgrColor Black => new(0, 0, 0);
    public static BgrColor White => new(255, 255, 255);

    /// <summary>Rec. 601 luma, 0-255: decides whether black or white text reads better on this colour.</summary>
    public int Luma => ((299 * R) + (587 * G) + (114 * B)) / 1000;
}
