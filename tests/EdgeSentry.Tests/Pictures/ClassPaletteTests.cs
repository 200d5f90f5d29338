using EdgeSentry.Pictures;

namespace EdgeSentry.Tests.Pictures;

public class ClassPaletteTests
{
    [Fact]
    public void For_NeighbouringClasses_DistinctColours()
    {
        for (int c = 0; c < ClassPalette.Count; c++)
        {
            Assert.NotEqual(ClassPalette.For(c), ClassPalette.For(c + 1));
        }
    }

    [Fact]
    public void For_SameClass_SameColourAndWrapsAround()
    {
        Assert.Equal(ClassPalette.For(3), ClassPalette.For(3 + ClassPalette.Count));
        Assert.Equal(ClassPalette.For(0), ClassPalette.For(0));
        Assert.NotEqual(default, ClassPalette.For(-1));
    }
}
