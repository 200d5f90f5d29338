using EdgeSentry.Benchmarking;

namespace EdgeSentry.Tests.Benchmarking;

public class BenchLayoutTests
{
    [Theory]
    [InlineData("2x1", 2, 1)]
    [InlineData(" 1X2 ", 1, 2)]
    public void Parse_KxT_GivesWorkersAndThreads(string text, int workers, int threads)
    {
        var layout = BenchLayout.Parse(text);

        Assert.Equal(new BenchLayout(workers, threads), layout);
        Assert.Equal($"{workers}x{threads}", layout.ToString());
    }

    [Theory]
    [InlineData("2")]
    [InlineData("0x1")]
    [InlineData("ax1")]
    [InlineData("2x1x1")]
    public void Parse_Malformed_ThrowsNamingTheText(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => BenchLayout.Parse(text));

        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_TriesOneByOneOneByTwoAndTwoByOne()
    {
        Assert.Equal(["1x1", "1x2", "2x1"], BenchLayout.Auto.Select(l => l.ToString()));
    }
}
