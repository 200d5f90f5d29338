using System.Runtime.InteropServices;

namespace EdgeSentry.Detection;

/// <summary>An axis-aligned box in source-image pixels: (X1, Y1) top-left, (X2, Y2) bottom-right.</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct BoundingBox(float X1, float Y1, float X2, float Y2)
{
    public float Width => X2 - X1;
    public float Height => Y2 - Y1;
    public float Area => MathF.Max(0f, X2 - X1) * MathF.Max(0f, Y2 - Y1);

    public float IntersectionOverUnion(in BoundingBox other)
    {
        float ix = MathF.Max(0f, MathF.Min(X2, other.X2) - MathF.Max(X1, other.X1));
        float iy = MathF.Max(0f, MathF.Min(Y2, other.Y2) - MathF.Max(Y1, other.Y1));
        float inter = ix * iy;
        float union = Area + other.Area - inter;
        return union > 0f ? inter / union : 0f;
    }
}
