using System.Numerics;

namespace EdgeSentry.Pictures;

/// <summary>A zone or mask outline in normalised 0-1 frame coordinates (x right, y down), with an optional name.</summary>
public sealed record OverlayPolygon(IReadOnlyList<Vector2> Points, BgrColor Color, string? Name = null);
