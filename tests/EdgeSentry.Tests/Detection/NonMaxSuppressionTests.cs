using EdgeSentry.Detection;

namespace EdgeSentry.Tests.Detection;

using Detection = EdgeSentry.Detection.Detection;

public sealed class NonMaxSuppressionTests
{
    private static readonly BoundingBox Van = new(650, 43, 722, 102);
    private static readonly BoundingBox VanShifted = new(652, 44, 723, 100);
    private static readonly BoundingBox Elsewhere = new(10, 10, 40, 90);

    [Fact]
    public void Apply_ClassWise_KeepsOverlappingBoxesOfDifferentClasses()
    {
        Detection[] c = [new(2, 0.56f, VanShifted), new(7, 0.69f, Van), new(7, 0.50f, VanShifted), new(0, 0.8f, Elsewhere)];

        int kept = NonMaxSuppression.Apply(c, 0.45f, classWise: true);

        Assert.Equal(3, kept);
        Assert.Equal([0.8f, 0.69f, 0.56f], c.Take(kept).Select(d => d.Score));
        Assert.Equal([0, 7, 2], c.Take(kept).Select(d => d.ClassId));
    }

    [Fact]
    public void Apply_ClassAgnostic_KeepsOnlyTheBestLabelPerBox()
    {
        Detection[] c = [new(5, 0.43f, VanShifted), new(7, 0.67f, Van), new(0, 0.8f, Elsewhere)];

        int kept = NonMaxSuppression.Apply(c, 0.7f, classWise: false);

        Assert.Equal(2, kept);
        Assert.Equal([0, 7], c.Take(kept).Select(d => d.ClassId));
    }

    [Fact]
    public void Apply_OverlapAtThreshold_IsKept()
    {
        // Two 10x10 boxes sharing half their area: IoU = 50 / 150 = 1/3, not above a 1/3 threshold.
        Detection[] c = [new(0, 0.9f, new BoundingBox(0, 0, 10, 10)), new(0, 0.8f, new BoundingBox(5, 0, 15, 10))];

        Assert.Equal(2, NonMaxSuppression.Apply(c, 1f / 3f, classWise: true));
        Assert.Equal(1, NonMaxSuppression.Apply(c, 0.3f, classWise: true));
    }

    [Fact]
    public void Apply_Empty_ReturnsZero()
    {
        Assert.Equal(0, NonMaxSuppression.Apply([], 0.5f, classWise: true));
    }
}
