using EdgeSentry.Detection;

namespace EdgeSentry.Rules;

/// <summary>
/// The few plane predicates zones and lines need, on doubles in normalised image coordinates.
/// Point-in-polygon runs per object per zone per frame, so it works on spans and never allocates.
/// </summary>
public static class PlaneGeometry
{
    /// <summary>Where an object stands: the bottom-centre of its box (pixels), as a normalised x.</summary>
    public static double FootX(in BoundingBox box, int frameWidth) => (box.X1 + box.X2) * 0.5 / frameWidth;

    /// <summary>Where an object stands: the bottom edge of its box (pixels), as a normalised y.</summary>
    public static double FootY(in BoundingBox box, int frameHeight) => box.Y2 / (double)frameHeight;

    /// <summary>
    /// Even-odd ray casting. A point exactly on an edge may fall either way; zones are drawn by
    /// hand, so a boundary decision on a measure-zero set does not matter.
    /// </summary>
    public static bool ContainsPoint(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, double x, double y)
    {
        bool inside = false;
        int n = xs.Length;
        for (int i = 0, j = n - 1; i < n; j = i++)
        {
            double yi = ys[i], yj = ys[j];
            if ((yi > y) != (yj > y))
            {
                double xCross = xs[i] + ((y - yi) / (yj - yi) * (xs[j] - xs[i]));
                if (x < xCross)
                {
                    inside = !inside;
                }
            }
        }

        return inside;
    }

    /// <summary>
    /// The z component of (b - a) x (c - a): positive when c lies counter-clockwise of a->b in a y-up
    /// frame (clockwise on screen, where y grows downwards), zero when collinear.
    /// </summary>
    public static double Cross(double ax, double ay, double bx, double by, double cx, double cy) =>
        ((bx - ax) * (cy - ay)) - ((by - ay) * (cx - ax));

    /// <summary>True when segments p1-p2 and q1-q2 share at least one point (touching and collinear overlap count).</summary>
    public static bool SegmentsIntersect(
        double p1x, double p1y, double p2x, double p2y,
        double q1x, double q1y, double q2x, double q2y)
    {
        double d1 = Cross(q1x, q1y, q2x, q2y, p1x, p1y);
        double d2 = Cross(q1x, q1y, q2x, q2y, p2x, p2y);
        double d3 = Cross(p1x, p1y, p2x, p2y, q1x, q1y);
        double d4 = Cross(p1x, p1y, p2x, p2y, q2x, q2y);

        if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)))
        {
            return true;
        }

        return (d1 == 0 && OnSegment(q1x, q1y, q2x, q2y, p1x, p1y))
            || (d2 == 0 && OnSegment(q1x, q1y, q2x, q2y, p2x, p2y))
            || (d3 == 0 && OnSegment(p1x, p1y, p2x, p2y, q1x, q1y))
            || (d4 == 0 && OnSegment(p1x, p1y, p2x, p2y, q2x, q2y));
    }

    /// <summary>
    /// Finds the first pair of edges that cross, touch or overlap, other than neighbours sharing their
    /// common vertex. Returns false for a simple polygon. O(n²): runs once per zone at start-up.
    /// </summary>
    public static bool TryFindSelfIntersection(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, out int edgeA, out int edgeB)
    {
        int n = xs.Length;
        for (int i = 0; i < n; i++)
        {
            int i2 = (i + 1) % n;
            for (int j = i + 1; j < n; j++)
            {
                int j2 = (j + 1) % n;
                bool neighbours = j == i2 || i == j2;
                if (neighbours)
                {
                    // Adjacent edges always share a vertex; they only overlap if they fold back onto each other.
                    int shared = j == i2 ? i2 : i;
                    int otherI = j == i2 ? i : i2;
                    int otherJ = j == i2 ? j2 : j;
                    if (Cross(xs[shared], ys[shared], xs[otherI], ys[otherI], xs[otherJ], ys[otherJ]) == 0
                        && Dot(xs[otherI] - xs[shared], ys[otherI] - ys[shared], xs[otherJ] - xs[shared], ys[otherJ] - ys[shared]) > 0)
                    {
                        edgeA = i;
                        edgeB = j;
                        return true;
                    }

                    continue;
                }

                if (SegmentsIntersect(xs[i], ys[i], xs[i2], ys[i2], xs[j], ys[j], xs[j2], ys[j2]))
                {
                    edgeA = i;
                    edgeB = j;
                    return true;
                }
            }
        }

        edgeA = -1;
        edgeB = -1;
        return false;
    }

    /// <summary>Shoelace area (absolute), in squared normalised units.</summary>
    public static double Area(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        double sum = 0;
        for (int i = 0, j = xs.Length - 1; i < xs.Length; j = i++)
        {
            sum += (xs[j] * ys[i]) - (xs[i] * ys[j]);
        }

        return Math.Abs(sum) / 2;
    }

    private static double Dot(double ax, double ay, double bx, double by) => (ax * bx) + (ay * by);

    private static bool OnSegment(double ax, double ay, double bx, double by, double px, double py) =>
        px >= Math.Min(ax, bx) && px <= Math.Max(ax, bx) && py >= Math.Min(ay, by) && py <= Math.Max(ay, by);
}
