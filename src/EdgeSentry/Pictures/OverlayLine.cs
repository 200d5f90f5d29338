using System.Numerics;

namespace EdgeSentry.Pictures;

/// <summary>
/// A counting line in normalised 0-1 frame coordinates. <see cref="Direction"/> is the counted crossing
/// direction (y grows downwards), drawn as an arrow across the line's middle; null means both ways (a
/// double-headed arrow).
/// </summary>
public sealed record OverlayLine(Vector2 From, Vector2 To, BgrColor Color, Vector2? Direction = null, string? Name = null);
