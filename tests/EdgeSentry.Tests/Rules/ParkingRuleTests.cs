using EdgeSentry.Rules;
using static EdgeSentry.Tests.Rules.RuleScenario;

namespace EdgeSentry.Tests.Rules;

public class ParkingRuleTests
{
    private static CameraRulesDefinition Lane(Action<RuleDefinition>? tweak = null)
    {
        var rule = new RuleDefinition
        {
            Id = "no-parking", Kind = "parking", Zone = "lane", Classes = ["car"], DwellSeconds = 30, Radius = 0.02,
            HoldSeconds = 3, UpdateSeconds = 0,
        };
        tweak?.Invoke(rule);
        return new CameraRulesDefinition
        {
            Zones = [new ZoneDefinition { Id = "lane", Polygon = Square(0.5, 0.4, 0.95, 0.8) }],
            Rules = [rule],
        };
    }

    private static EdgeSentry.Detection.Detection CarAt(double x, double y) => At(x, y, Car, 0.9f, 0.12, 0.1);

    [Fact]
    public void Process_CarStopsInLane_OneIncidentAfterDwellEndingWhenItDrivesOff()
    {
        var s = new RuleScenario(Lane());

        // Drives in (0.3 -> 0.7 by t = 4), stands until 50 with a few pixels of jitter, drives off at 0.1 per s.
        s.Run(0, 4, 0.1, t => [CarAt(0.3 + (0.1 * t), 0.6)]);
        s.Run(4, 50, 0.1, t => [CarAt(0.7 + (0.003 * Math.Sin(t * 3)), 0.6 + (0.002 * Math.Cos(t * 5)))]);
        s.Run(50, 60, 0.1, t => [CarAt(0.7 + (0.1 * (t - 50)), 0.6)]);

        var started = Assert.Single(s.Sink.Of(IncidentTransition.Started));
        Assert.InRange(started.PtsSeconds, 33.9, 34.1);
        Assert.Equal("car", started.Label);
        Assert.Equal("parking", started.Kind);
        var ended = Assert.Single(s.Sink.Of(IncidentTransition.Ended));
        // Leaves the 0.02 radius at ~50.2; ended 3 s of "not stopped" later.
        Assert.InRange(ended.PtsSeconds, 53.0, 53.4);
        Assert.Equal(started.IncidentId, ended.IncidentId);
        Assert.Equal(2, s.Sink.Events.Count);
    }

    [Fact]
    public void Process_CarCreepingThroughQueue_NeverParks()
    {
        var s = new RuleScenario(Lane());

        // Crawls at 0.004 per s: leaves any 0.02 radius every 5 s.
        s.Run(0, 100, 0.2, t => [CarAt(0.55 + (0.004 * t), 0.6)]);

        Assert.Empty(s.Sink.Events);
    }

    [Fact]
    public void Process_CarParkedOutsideZone_RaisesNothing()
    {
        var s = new RuleScenario(Lane());

        s.Run(0, 60, 0.2, _ => [CarAt(0.3, 0.6)]);

        Assert.Empty(s.Sink.Events);
    }

    [Fact]
    public void Process_PersonStandingInLane_IsNotAVehicle()
    {
        var s = new RuleScenario(Lane());

        s.Run(0, 60, 0.2, _ => [At(0.7, 0.6)]);

        Assert.Empty(s.Sink.Events);
    }

    [Fact]
    public void Process_ParkedCarBrieflyHidden_StaysOneIncident()
    {
        var s = new RuleScenario(Lane());

        s.Run(0, 40, 0.2, _ => [CarAt(0.7, 0.6)]);
        s.Run(40, 41, 0.2, _ => []);                  // a bus passes in front for 1 s
        s.Run(41, 60, 0.2, _ => [CarAt(0.7, 0.6)]);
        s.Run(60, 65, 0.2, _ => []);

        var started = Assert.Single(s.Sink.Of(IncidentTransition.Started));
        Assert.InRange(started.PtsSeconds, 30.3, 30.5);
        var ended = Assert.Single(s.Sink.Of(IncidentTransition.Ended));
        Assert.InRange(ended.PtsSeconds, 62.7, 63.0);
    }

    [Fact]
    public void Process_ParkedCarHiddenLongerThanTheTrackLives_NewTrackTakesOverTheIncident()
    {
        var s = new RuleScenario(Lane(r => r.HoldSeconds = 6));

        s.Run(0, 40, 0.2, _ => [CarAt(0.7, 0.6)]);
        s.Run(40, 44, 0.2, _ => []);                  // hidden 4 s: the track dies after 1.5 s
        s.Run(44, 80, 0.2, _ => [CarAt(0.705, 0.6)]);
        s.Run(80, 90, 0.2, _ => []);

        var started = Assert.Single(s.Sink.Of(IncidentTransition.Started));
        var ended = Assert.Single(s.Sink.Of(IncidentTransition.Ended));
        Assert.Equal(started.IncidentId, ended.IncidentId);
        Assert.NotEqual(started.TrackId, ended.TrackId);
        Assert.InRange(ended.PtsSeconds, 85.7, 86.0);
    }

    [Fact]
    public void Process_TwoCarsParked_TwoIncidents()
    {
        var s = new RuleScenario(Lane());

        s.Run(0, 40, 0.2, _ => [CarAt(0.6, 0.6), CarAt(0.85, 0.7)]);

        Assert.Equal(2, s.Sink.Of(IncidentTransition.Started).Select(e => e.TrackId).Distinct().Count());
    }
}
