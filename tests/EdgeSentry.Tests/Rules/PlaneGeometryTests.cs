using EdgeSentry.Rules;

namespace EdgeSentry.Tests.Rules;

public class PlaneGeometryTests
{
    // An L-shaped (concave) polygon: the notch at the top right is outside.
    private static readonly double[] LX = [0.1, 0.9, 0.9, 0.5, 0.5, 0.1];
    private static readonly double[] LY = [0.9, 0.9, 0.5, 0.5, 0.1, 0.1];

    [Theory]
    [InlineData(0.3, 0.3, true)]
    [InlineData(0.7, 0.7, true)]
    [InlineData(0.7, 0.3, false)]
    [InlineData(0.05, 0.5, false)]
    [InlineData(0.95, 0.7, false)]
    public void ContainsPoint_ConcavePolygon_FollowsTheOutline(double x, double y, bool expected) =>
        Assert.Equal(expected, PlaneGeometry.ContainsPoint(LX, LY, x, y));

    [Theory]
    [InlineData(0, 0, 1, 1, 0, 1, 1, 0, true)]       // X crossing
    [InlineData(0, 0, 1, 0, 0, 1, 1, 1, false)]      // parallel
    [InlineData(0, 0, 1, 0, 1, 0, 2, 1, true)]       // touching at an end point
    [InlineData(0, 0, 2, 0, 1, 0, 3, 0, true)]       // collinear overlap
    [InlineData(0, 0, 1, 0, 2, 0, 3, 0, false)]      // collinear, apart
    [InlineData(0, 0, 1, 1, 0.6, 0.4, 2, 0, false)]  // would cross only if extended
    public void SegmentsIntersect_Cases_AreDecidedExactly(double ax, double ay, double bx, double by, double cx, double cy, double dx, double dy, bool expected) =>
        Assert.Equal(expected, PlaneGeometry.SegmentsIntersect(ax, ay, bx, by, cx, cy, dx, dy));

    [Fact]
    public void TryFindSelfIntersection_Bowtie_ReportsTheCrossingEdges()
    {
        double[] xs = [0.1, 0.9, 0.1, 0.9];
        double[] ys = [0.1, 0.9, 0.9, 0.1];

        Assert.True(PlaneGeometry.TryFindSelfIntersection(xs, ys, out int a, out int b));
        Assert.Equal((0, 2), (a, b));
    }

    [Fact]
    public void TryFindSelfIntersection_ConcaveSimplePolygon_FindsNone() =>
        Assert.False(PlaneGeometry.TryFindSelfIntersection(LX, LY, out _, out _));

    [Fact]
    public void TryFindSelfIntersection_SpikeFoldingBack_IsReported()
    {
        // 0.5,0.1 -> 0.5,0.5 -> 0.5,0.3: the third edge runs back over the second.
        double[] xs = [0.1, 0.5, 0.5, 0.5];
        double[] ys = [0.1, 0.1, 0.5, 0.3];

        Assert.True(PlaneGeometry.TryFindSelfIntersection(xs, ys, out _, out _));
    }

    [Fact]
    public void Area_UnitSquareQuarter_IsAQuarter() =>
        Assert.Equal(0.25, PlaneGeometry.Area([0, 0.5, 0.5, 0], [0, 0, 0.5, 0.5]), 12);
}
