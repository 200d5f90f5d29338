using EdgeSentry.Rules;
using static EdgeSentry.Tests.Rules.RuleScenario;

namespace EdgeSentry.Tests.Rules;

public class LineCrossingRuleTests
{
    private static CameraRulesDefinition Entry(double[]? direction, Action<RuleDefinition>? tweak = null)
    {
        var rule = new RuleDefinition { Id = "count", Kind = "line-crossing", Line = "entry", Classes = ["person", "car"], HoldSeconds = 5 };
        tweak?.Invoke(rule);
        return new CameraRulesDefinition
        {
            Lines = [new LineDefinition { Id = "entry", From = [0.2, 0.5], To = [0.8, 0.5], Direction = direction }],
            Rules = [rule],
        };
    }

    /// <summary>Walks from y0 to y1 at x in <paramref name="seconds"/>.</summary>
    private static Func<double, EdgeSentry.Detection.Detection[]> Walk(double start, double x, double y0, double y1, double seconds, int classId = Person) =>
        t => [At(x, y0 + ((y1 - y0) * Math.Clamp((t - start) / seconds, 0, 1)), classId)];

    [Fact]
    public void Process_CrossingsInAndOut_CountsOnlyTheCountedDirectionPerClass()
    {
        var s = new RuleScenario(Entry([0, 1], r => r.HoldSeconds = 10));

        s.Run(0, 4, 0.1, Walk(0, 0.4, 0.3, 0.7, 3));                 // person down: counts
        s.Run(4, 8, 0.1, Walk(4, 0.6, 0.7, 0.3, 3));                 // person up: does not
        s.Run(8, 12, 0.1, Walk(8, 0.5, 0.3, 0.7, 3, Car));           // car down: counts
        s.Run(12, 20, 0.1, _ => []);

        Assert.Equal(1, s.Engine.LineCrossings("count", Person));
        Assert.Equal(1, s.Engine.LineCrossings("count", Car));
        var started = Assert.Single(s.Sink.Of(IncidentTransition.Started));
        Assert.Equal("entry", started.LineId);
        Assert.Null(started.ZoneId);
        Assert.Equal(new Dictionary<string, int> { ["person"] = 1 }, started.ClassCounts);
        Assert.Equal([0.0, 1.0], started.LineDirection!);
        var updated = Assert.Single(s.Sink.Of(IncidentTransition.Updated));
        Assert.Equal(new Dictionary<string, int> { ["person"] = 1, ["car"] = 1 }, updated.ClassCounts);
        Assert.Equal(2, updated.ObjectCount);
        var ended = Assert.Single(s.Sink.Of(IncidentTransition.Ended));
        Assert.Equal(2, ended.ObjectCount);
        Assert.Equal(updated.ClassCounts, ended.ClassCounts);
    }

    [Fact]
    public void Process_ObjectCrossesBeforeItsTrackIsConfirmed_StillCounted()
    {
        var s = new RuleScenario(Entry([0, 1]));

        // y 0.40 -> 0.60 in 0.4 s at 10 fps. The track needs 3 hits to be confirmed, by which time it stands
        // on the line at y = 0.5 and is past it a frame later; the crossing it made while tentative still counts.
        s.Run(0, 3, 0.1, Walk(0, 0.4, 0.4, 0.6, 0.4));

        Assert.Equal(1, s.Engine.LineCrossings("count", Person));
        Assert.Single(s.Sink.Of(IncidentTransition.Started));
    }

    [Fact]
    public void Process_CrossingTimes_StartedAtTheCrossingFrame()
    {
        var s = new RuleScenario(Entry([0, 1]));

        // y = 0.3 + 0.1 t crosses 0.5 between t = 1.9 (0.49) and 2.1 (0.51): decided at 2.1 (outside the dead band).
        s.Run(0, 5, 0.1, t => [At(0.4, 0.3 + (0.1 * t))]);

        Assert.InRange(Assert.Single(s.Sink.Of(IncidentTransition.Started)).PtsSeconds, 2.05, 2.15);
    }

    [Fact]
    public void Process_BothDirectionsLine_CountsEitherWay()
    {
        var s = new RuleScenario(Entry(null));

        s.Run(0, 4, 0.1, Walk(0, 0.4, 0.3, 0.7, 3));
        s.Run(4, 8, 0.1, Walk(4, 0.6, 0.7, 0.3, 3));

        Assert.Equal(2, s.Engine.LineCrossings("count", Person));
    }

    [Fact]
    public void Process_PersonDitheringOnTheLine_CountsOnce()
    {
        var s = new RuleScenario(Entry(null));

        s.Run(0, 20, 0.1, t => [At(0.5, 0.5 + (0.03 * Math.Sin(t * 2)))]);

        Assert.Equal(2, s.Engine.LineCrossings("count", Person)); // once down, once up; never again
        Assert.Single(s.Sink.Of(IncidentTransition.Started));
    }

    [Fact]
    public void Process_PassingBesideTheSegment_DoesNotCount()
    {
        var s = new RuleScenario(Entry(null));

        s.Run(0, 4, 0.1, Walk(0, 0.9, 0.3, 0.7, 3));

        Assert.Equal(0, s.Engine.LineCrossings("count", Person));
        Assert.Empty(s.Sink.Events);
    }

    [Fact]
    public void Process_QuietLongerThanHold_EndsAndNextCrossingStartsAFreshCount()
    {
        var s = new RuleScenario(Entry([0, 1]));

        s.Run(0, 4, 0.1, Walk(0, 0.4, 0.3, 0.7, 3));
        s.Run(4, 12, 0.1, _ => []);
        s.Run(12, 16, 0.1, Walk(12, 0.4, 0.3, 0.7, 3));

        var started = s.Sink.Of(IncidentTransition.Started).ToList();
        Assert.Equal(2, started.Count);
        Assert.Equal(1, started[1].ObjectCount);
        Assert.Equal(2, s.Engine.LineCrossings("count", Person));
    }

    [Fact]
    public void Process_UnknownRule_LineCrossingsThrowsNamingIt()
    {
        var s = new RuleScenario(Entry(null));

        var e = Assert.Throws<ArgumentException>(() => s.Engine.LineCrossings("nope", Person));
        Assert.Contains("'nope'", e.Message, StringComparison.Ordinal);
    }
}
