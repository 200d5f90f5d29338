using EdgeSentry.Rules;
using static EdgeSentry.Tests.Rules.RuleScenario;

namespace EdgeSentry.Tests.Rules;

public class CrowdRuleTests
{
    private static CameraRulesDefinition Gate(Action<RuleDefinition>? tweak = null)
    {
        var rule = new RuleDefinition
        {
            Id = "crowd", Kind = "crowd", Zone = "gate", Classes = ["person"], MinCount = 10, DwellSeconds = 3,
            HoldSeconds = 2, Severity = 1, SeverityCounts = [15, 20], UpdateSeconds = 0,
        };
        tweak?.Invoke(rule);
        return new CameraRulesDefinition
        {
            Zones = [new ZoneDefinition { Id = "gate", Polygon = Square(0.1, 0.5, 0.9, 0.9) }],
            Rules = [rule],
        };
    }

    private static EdgeSentry.Detection.Detection[] People(int n, double y = 0.7) =>
        Enumerable.Range(0, n).Select(i => At(0.12 + (i * 0.03), y)).ToArray();

    [Fact]
    public void Process_TenPeopleForFiveSeconds_FiresAtThreeSecondsAndEnds()
    {
        var s = new RuleScenario(Gate());

        s.Run(0, 2, 0.1, _ => People(9));
        s.Run(2, 7, 0.1, _ => People(10));
        s.Run(7, 10, 0.1, _ => People(4));

        var started = Assert.Single(s.Sink.Of(IncidentTransition.Started));
        Assert.Equal(5.0, started.PtsSeconds, 6);
        Assert.Equal(10, started.ObjectCount);
        Assert.Equal(1, started.Severity);
        Assert.Equal("gate", started.ZoneId);
        var ended = Assert.Single(s.Sink.Of(IncidentTransition.Ended));
        Assert.Equal(8.9, ended.PtsSeconds, 6);
        Assert.Equal(4.9, ended.DurationSeconds!.Value, 6);
        Assert.Equal(10, ended.PeakObjectCount);
    }

    [Fact]
    public void Process_CrowdGrows_SeverityRisesWithAnUpdateAtEachLevel()
    {
        var s = new RuleScenario(Gate());

        s.Run(0, 4, 0.1, _ => People(10));
        s.Run(4, 8, 0.1, _ => People(16));
        s.Run(8, 12, 0.1, _ => People(22));
        s.Run(12, 13, 0.1, _ => People(12));
        s.Run(13, 16, 0.1, _ => []);

        var severities = s.Sink.Events.Select(e => (e.Transition, Math.Round(e.PtsSeconds, 1), e.Severity, e.ObjectCount)).ToList();
        Assert.Equal(
            [
                (IncidentTransition.Started, 3.0, 1, 10),
                (IncidentTransition.Updated, 7.0, 2, 16),
                (IncidentTransition.Updated, 11.0, 3, 22),
                (IncidentTransition.Ended, 14.9, 3, 12),
            ],
            severities);
        Assert.Equal(22, s.Sink.Events[^1].PeakObjectCount);
    }

    [Fact]
    public void Process_OneFrameSpikeOfDuplicateBoxes_DoesNotEscalate()
    {
        var s = new RuleScenario(Gate());

        s.Run(0, 10, 0.1, t => People(Math.Abs(t - 6) < 0.05 ? 25 : 10));

        Assert.All(s.Sink.Events, e => Assert.Equal(1, e.Severity));
        Assert.Empty(s.Sink.Of(IncidentTransition.Updated));
    }

    [Fact]
    public void Process_CountFlickersAroundTheThreshold_OneIncident()
    {
        var s = new RuleScenario(Gate());

        // Every third frame one person is missed (9 < 10): gaps far shorter than the 2 s hold.
        int frame = 0;
        s.Run(0, 10, 0.1, _ => People(frame++ % 3 == 0 ? 9 : 10));
        s.Run(10, 13, 0.1, _ => []);

        var started = Assert.Single(s.Sink.Of(IncidentTransition.Started));
        Assert.Equal(3.1, started.PtsSeconds, 6);
        Assert.Single(s.Sink.Of(IncidentTransition.Ended));
    }

    [Fact]
    public void Process_PeopleOutsideZone_DoNotCount()
    {
        var s = new RuleScenario(Gate());

        s.Run(0, 10, 0.1, _ => [.. People(6), .. People(6, y: 0.3)]);

        Assert.Empty(s.Sink.Events);
    }

    [Fact]
    public void Process_CrowdWithinCooldown_DoesNotRefire()
    {
        var s = new RuleScenario(Gate(r => r.CooldownSeconds = 30));

        s.Run(0, 5, 0.1, _ => People(10));
        s.Run(5, 8, 0.1, _ => []);
        s.Run(8, 20, 0.1, _ => People(10));

        Assert.Single(s.Sink.Of(IncidentTransition.Started));
    }
}
