using EdgeSentry.Detection;

namespace EdgeSentry.Pictures;

/// <summary>
/// A box to draw, in source-frame pixels, with an optional label ("person 0.87") and track id (drawn as "#12"
/// in front of the label). Without a colour it takes the class's palette colour.
/// </summary>
public readonly record struct OverlayBox(BoundingBox Box, int ClassId, string? Label = null, int? TrackId = null, BgrColor? Color = null)
{
    public BgrColor EffectiveColor => Color ?? ClassPalette.For(ClassId);
}
