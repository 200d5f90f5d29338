namespace EdgeSentry.Pictures;

/// <summary>
/// What to draw over a frame: masks (translucent, hatched, so ignored areas stand out without hiding the
/// scene), zones (outlines), lines with their direction, and boxes with labels and track ids. Drawn in that
/// order so boxes and their labels stay on top.
/// </summary>
public sealed class SceneOverlay
{
    public IReadOnlyList<OverlayBox> Boxes { get; init; } = [];
    public IReadOnlyList<OverlayPolygon> Zones { get; init; } = [];
    public IReadOnlyList<OverlayLine> Lines { get; init; } = [];
    public IReadOnlyList<OverlayPolygon> Masks { get; init; } = [];

    public static SceneOverlay Empty { get; } = new();
}
