using EdgeSentry.Rules;
using static EdgeSentry.Tests.Rules.RuleScenario;

namespace EdgeSentry.Tests.Rules;

public class WrongWayRuleTests
{
    private static CameraRulesDefinition Road(double[] allowed, Action<RuleDefinition>? tweak = null)
    {
        var rule = new RuleDefinition { Id = "ww", Kind = "wrong-way", Zone = "road", Classes = ["car"], MinDistance = 0.15, HoldSeconds = 1, Severity = 3, UpdateSeconds = 0 };
        tweak?.Invoke(rule);
        return new CameraRulesDefinition
        {
            Zones = [new ZoneDefinition { Id = "road", Polygon = Square(0.1, 0.4, 0.9, 0.8), Direction = allowed }],
            Rules = [rule],
        };
    }

    private static EdgeSentry.Detection.Detection CarAt(double x) => At(x, 0.6, Car, 0.9f, 0.12, 0.1);

    [Fact]
    public void Process_CarDrivingAgainstTheLane_FiresOnceAfterMinDistance()
    {
        var s = new RuleScenario(Road([1, 0]));

        // Right to left at 0.1 per s, from 0.95 (outside) through the zone (0.9 .. 0.1).
        s.Run(0, 10, 0.1, t => [CarAt(0.95 - (0.1 * t))]);

        var started = Assert.Single(s.Sink.Of(IncidentTransition.Started));
        // Enters at x <= 0.9 (t = 0.5), 0.15 further at t = 2.0.
        Assert.InRange(started.PtsSeconds, 1.95, 2.15);
        Assert.Equal(3, started.Severity);
        Assert.Equal("wrong-way", started.Kind);
        var ended = Assert.Single(s.Sink.Of(IncidentTransition.Ended));
        Assert.Equal(started.TrackId, ended.TrackId);
    }

    [Fact]
    public void Process_CarDrivingWithTheLane_RaisesNothing()
    {
        var s = new RuleScenario(Road([1, 0]));

        s.Run(0, 10, 0.1, t => [CarAt(0.05 + (0.1 * t) + (0.004 * Math.Sin(t * 7)))]);

        Assert.Empty(s.Sink.Events);
    }

    [Fact]
    public void Process_RuleDirectionOverridesZone_UsesTheRules()
    {
        var s = new RuleScenario(Road([1, 0], r => r.Direction = [-1, 0]));

        s.Run(0, 10, 0.1, t => [CarAt(0.05 + (0.1 * t))]);

        Assert.Single(s.Sink.Of(IncidentTransition.Started));
    }

    [Fact]
    public void Process_TwoCarsPassingTheWrongWay_OneIncidentPerCar()
    {
        var s = new RuleScenario(Road([1, 0]));

        s.Run(0, 10, 0.1, t => [CarAt(0.95 - (0.1 * t))]);
        s.Run(10, 13, 0.1, _ => []);
        s.Run(13, 23, 0.1, t => [CarAt(0.95 - (0.1 * (t - 13)))]);
        s.Run(23, 26, 0.1, _ => []);

        var started = s.Sink.Of(IncidentTransition.Started).ToList();
        Assert.Equal(2, started.Count);
        Assert.NotEqual(started[0].TrackId, started[1].TrackId);
        Assert.Equal(2, s.Sink.Of(IncidentTransition.Ended).Count());
    }

    [Fact]
    public void Process_CarMissedForLessThanHoldMidPass_OneIncident()
    {
        var s = new RuleScenario(Road([1, 0], r => r.HoldSeconds = 2));

        // Missed from 3.0 to 4.0 while driving the wrong way (the tracker coasts it on its motion model).
        s.Run(0, 10, 0.1, t => t is > 2.95 and < 3.95 ? [] : [CarAt(0.95 - (0.1 * t))]);
        s.Run(10, 13, 0.1, _ => []);

        var started = Assert.Single(s.Sink.Of(IncidentTransition.Started));
        var ended = Assert.Single(s.Sink.Of(IncidentTransition.Ended));
        Assert.Equal(started.IncidentId, ended.IncidentId);
        Assert.Equal(started.TrackId, ended.TrackId);
    }

    [Fact]
    public void Process_CarLostLongerThanTheTrackerKeepsItMidPass_NewTrackTakesTheIncidentOver()
    {
        var s = new RuleScenario(Road([1, 0], r => r.HoldSeconds = 3));

        // Unseen from 3.0 to 5.0 while driving on (a lorry in front): the tracker drops the track after
        // its 1.5 s lost time, and the car comes back 0.2 further on as a new track.
        s.Run(0, 10, 0.1, t => t is > 2.95 and < 4.95 ? [] : [CarAt(0.95 - (0.1 * t))]);
        s.Run(10, 14, 0.1, _ => []);

        Assert.True(s.Engine.Tracker.TracksStarted >= 2, "the tracker should have lost the car and started a new track");
        var started = Assert.Single(s.Sink.Of(IncidentTransition.Started));
        var ended = Assert.Single(s.Sink.Of(IncidentTransition.Ended));
        Assert.Equal(started.IncidentId, ended.IncidentId);
        Assert.NotEqual(started.TrackId, ended.TrackId);
        // The incident lasted the whole pass, to the car's last sighting in the zone (x 0.1 at t = 8.5).
        Assert.InRange(ended.DurationSeconds!.Value, 6, 7);
    }

    [Fact]
    public void Process_SecondCarBehindALostOne_GetsItsOwnIncident()
    {
        var s = new RuleScenario(Road([1, 0], r => r.HoldSeconds = 3));

        // Car A drives the wrong way and vanishes at x 0.65 (t = 3); car B follows 1 s later, behind it.
        s.Run(0, 3, 0.1, t => [CarAt(0.95 - (0.1 * t))]);
        s.Run(3, 4, 0.1, _ => []);
        s.Run(4, 12, 0.1, t => [CarAt(0.95 - (0.1 * (t - 4)))]);
        s.Run(12, 16, 0.1, _ => []);

        var started = s.Sink.Of(IncidentTransition.Started).ToList();
        Assert.Equal(2, started.Count);
        Assert.NotEqual(started[0].IncidentId, started[1].IncidentId);
        Assert.Equal(2, s.Sink.Of(IncidentTransition.Ended).Count());
    }

    [Fact]
    public void Process_JitterOfAParkedCar_IsNotWrongWay()
    {
        var s = new RuleScenario(Road([1, 0]));

        s.Run(0, 60, 0.1, t => [CarAt(0.5 + (0.02 * Math.Sin(t)))]);

        Assert.Empty(s.Sink.Events);
    }
}
