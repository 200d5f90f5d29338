using EdgeSentry.Detection;
using EdgeSentry.Operator;

namespace EdgeSentry.Tests.Operator;

public sealed class ScoreStatisticsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);

    private static EdgeSentry.Detection.Detection D(int classId, float score) => new(classId, score, new BoundingBox(0, 0, 10, 10));

    [Fact]
    public void Window_AfterMinutesPass_OldMinutesDropOut()
    {
        var s = new ScoreStatistics(minutes: 3);
        s.Add([D(0, 0.55f), D(0, 0.56f)], T0);
        s.Add([D(0, 0.91f)], T0.AddMinutes(1));
        Assert.Equal(3, s.Window(T0.AddMinutes(2))[0].Sum());
        // Three minutes on, the first minute is out of the window; its slot is reused (cleared) by a new minute.
        s.Add([D(0, 0.30f)], T0.AddMinutes(3));
        var w = s.Window(T0.AddMinutes(3));
        Assert.Equal(2, w[0].Sum());
        Assert.Equal(0, w[0][ScoreStatistics.BinOf(0.55f)]);
        Assert.Equal(1, w[0][ScoreStatistics.BinOf(0.91f)]);
    }

    [Fact]
    public void Below_ThresholdOnBinEdge_CountsOnlyLowerBins()
    {
        var counts = new int[ScoreStatistics.Bins];
        counts[ScoreStatistics.BinOf(0.39f)] = 4;
        counts[ScoreStatistics.BinOf(0.40f)] = 7;
        Assert.Equal(4, ScoreStatistics.Below(counts, 0.40));
        Assert.Equal(11, ScoreStatistics.Below(counts, 0.41));
    }

    [Fact]
    public void SuggestThreshold_TwoModes_FallsInTheValleyBetweenThem()
    {
        var counts = new int[ScoreStatistics.Bins];
        var random = new Random(7);
        var low = new List<float>();
        var high = new List<float>();
        for (int i = 0; i < 400; i++)
        {
            low.Add((float)Math.Clamp(0.35 + (0.04 * Normal(random)), 0, 0.99));
            high.Add((float)Math.Clamp(0.80 + (0.05 * Normal(random)), 0, 0.99));
        }

        foreach (var score in low.Concat(high))
        {
            counts[ScoreStatistics.BinOf(score)]++;
        }

        double? t = ScoreStatistics.SuggestThreshold(counts);
        Assert.NotNull(t);
        // In the valley: it separates the clutter mode from the object mode (at most 1 % on the wrong side).
        int wrong = low.Count(x => x >= t.Value) + high.Count(x => x < t.Value);
        Assert.True(wrong <= 8, $"threshold {t} puts {wrong} of 800 scores on the wrong side");
        Assert.InRange(t.Value, 0.40, 0.70);
    }

    [Fact]
    public void SuggestThreshold_TooFewDetections_IsNull()
    {
        var counts = new int[ScoreStatistics.Bins];
        counts[30] = 10;
        counts[80] = 10;
        Assert.Null(ScoreStatistics.SuggestThreshold(counts));
    }

    private static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
}
