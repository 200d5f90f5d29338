using EdgeSentry.Detection;

namespace EdgeSentry.Tests.Detection;

public sealed class InputGeometryTests
{
    [Fact]
    public void Compute_TopLeftLetterbox_ScalesByTheTighterSideWithoutOffset()
    {
        var g = InputGeometry.Compute(ResizeMode.TopLeftLetterbox, 416, 416, 768, 576);

        Assert.Equal((416, 312, 0, 0), (g.ResizedWidth, g.ResizedHeight, g.OffsetX, g.OffsetY));
        Assert.Equal(416f / 768f, g.ScaleX, 6);
    }

    [Fact]
    public void Compute_CentreLetterboxPortrait_PadsLeftAndRight()
    {
        var g = InputGeometry.Compute(ResizeMode.CentreLetterbox, 416, 416, 300, 600);

        Assert.Equal((208, 416, 104, 0), (g.ResizedWidth, g.ResizedHeight, g.OffsetX, g.OffsetY));
    }

    [Fact]
    public void ToSource_CentreLetterbox_UndoesOffsetAndScaleAndClips()
    {
        var g = InputGeometry.Compute(ResizeMode.CentreLetterbox, 416, 416, 768, 432);

        var box = g.ToSource(0, g.OffsetY + 10, 208, 500);

        Assert.Equal(0f, box.X1);
        Assert.Equal(10f / g.ScaleY, box.Y1, 3);
        Assert.Equal(384f, box.X2, 3);
        Assert.Equal(432f, box.Y2);
    }

    [Fact]
    public void Compute_Stretch_ScalesAxesIndependently()
    {
        var g = InputGeometry.Compute(ResizeMode.Stretch, 320, 320, 640, 160);

        Assert.Equal((0.5f, 2f), (g.ScaleX, g.ScaleY));
        Assert.Equal(new BoundingBox(20, 5, 40, 10), g.ToSource(10, 10, 20, 20));
    }
}
