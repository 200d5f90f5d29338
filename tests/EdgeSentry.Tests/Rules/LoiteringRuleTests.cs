using EdgeSentry.Rules;
using static EdgeSentry.Tests.Rules.RuleScenario;

namespace EdgeSentry.Tests.Rules;

public class LoiteringRuleTests
{
    private static CameraRulesDefinition Gate(Action<RuleDefinition>? tweak = null)
    {
        var rule = new RuleDefinition { Id = "linger", Kind = "loitering", Zone = "gate", Classes = ["person"], DwellSeconds = 8, HoldSeconds = 2, UpdateSeconds = 10, Severity = 1 };
        tweak?.Invoke(rule);
        return new CameraRulesDefinition
        {
            Zones = [new ZoneDefinition { Id = "gate", Polygon = Square(0.3, 0.5, 0.7, 0.9) }],
            Rules = [rule],
        };
    }

    [Fact]
    public void Process_PersonStaysTwelveSeconds_FiresOnceAtDwellUpdatesAndEnds()
    {
        var s = new RuleScenario(Gate());

        // Confirmed at 0.2 (third frame), so the dwell is reached at 8.2.
        s.Run(0, 20, 0.1, t => [At(0.5 + (0.002 * Math.Sin(t)), 0.7)]);
        s.Run(20, 23, 0.1, _ => []);

        var started = Assert.Single(s.Sink.Of(IncidentTransition.Started));
        Assert.Equal(8.2, started.PtsSeconds, 6);
        Assert.Equal("loitering", started.Kind);
        Assert.Equal(1, started.Severity);
        Assert.Equal([18.2], s.Sink.Of(IncidentTransition.Updated).Select(e => Math.Round(e.PtsSeconds, 1)));
        var ended = Assert.Single(s.Sink.Of(IncidentTransition.Ended));
        Assert.Equal(21.9, ended.PtsSeconds, 6);
        Assert.Equal(19.7, ended.DurationSeconds!.Value, 6);
        Assert.Equal(started.TrackId, ended.TrackId);
        Assert.Equal([1, 2, 3], s.Sink.Events.Select(e => e.Sequence));
    }

    [Fact]
    public void Process_OnePersonPassesOneStays_OneIncidentForTheOneWhoStays()
    {
        var s = new RuleScenario(Gate());

        // A stands at 0.4 for 15 s. B walks through the gate zone in 5 s (left to right, 0.35 -> 0.65).
        s.Run(0, 15, 0.1, t => t < 5
            ? [At(0.4, 0.6), At(0.35 + (0.06 * t), 0.8)]
            : [At(0.4, 0.6)]);
        s.Run(15, 18, 0.1, _ => []);

        var started = Assert.Single(s.Sink.Of(IncidentTransition.Started));
        Assert.Equal(400, (started.Box.X1 + started.Box.X2) / 2, 1);
        Assert.Single(s.Sink.Of(IncidentTransition.Ended));
    }

    [Fact]
    public void Process_TwoPeopleStay_TwoIncidents()
    {
        var s = new RuleScenario(Gate());

        s.Run(0, 12, 0.1, _ => [At(0.4, 0.6), At(0.6, 0.8)]);
        s.Run(12, 15, 0.1, _ => []);

        var started = s.Sink.Of(IncidentTransition.Started).ToList();
        Assert.Equal(2, started.Count);
        Assert.NotEqual(started[0].IncidentId, started[1].IncidentId);
        Assert.NotEqual(started[0].TrackId, started[1].TrackId);
        Assert.Equal(2, s.Sink.Of(IncidentTransition.Ended).Count());
    }

    [Fact]
    public void Process_MissedForLessThanHold_KeepsTheDwellClock()
    {
        var s = new RuleScenario(Gate());

        // Missed from 4.0 to 5.0: shorter than the 2 s hold (and than the tracker's lost time).
        s.Run(0, 4, 0.1, _ => [At(0.5, 0.7)]);
        s.Run(4, 5, 0.1, _ => []);
        s.Run(5, 12, 0.1, _ => [At(0.5, 0.7)]);

        var started = Assert.Single(s.Sink.Of(IncidentTransition.Started));
        Assert.Equal(8.2, started.PtsSeconds, 6);
    }

    [Fact]
    public void Process_MissedLongerThanHold_RestartsTheDwellClock()
    {
        var s = new RuleScenario(Gate(r => r.HoldSeconds = 0.5));

        s.Run(0, 4, 0.1, _ => [At(0.5, 0.7)]);
        s.Run(4, 5, 0.1, _ => []);
        s.Run(5, 16, 0.1, _ => [At(0.5, 0.7)]);

        var started = Assert.Single(s.Sink.Of(IncidentTransition.Started));
        Assert.Equal(13.0, started.PtsSeconds, 6);
    }

    [Fact]
    public void Process_OpenIncidentMissedLessThanHold_DoesNotSplit()
    {
        var s = new RuleScenario(Gate(r => r.HoldSeconds = 3));

        s.Run(0, 10, 0.1, _ => [At(0.5, 0.7)]);
        s.Run(10, 12, 0.1, _ => []);           // track lost and dropped (1.5 s), incident held
        s.Run(12, 14, 0.1, _ => [At(0.5, 0.7)]); // a new track on the same spot carries the incident on
        s.Run(14, 18, 0.1, _ => []);

        Assert.Single(s.Sink.Of(IncidentTransition.Started));
        var ended = Assert.Single(s.Sink.Of(IncidentTransition.Ended));
        Assert.Equal(13.9 + 3, ended.PtsSeconds, 6);
    }

    [Fact]
    public void Process_StandingPersonReborn_NewTrackTakesOverTheOpenIncident()
    {
        var s = new RuleScenario(Gate(r => r.HoldSeconds = 5));

        // Occluded for 3 s (the track dies after 1.5 s); reappears a few pixels away and stays.
        s.Run(0, 12, 0.1, _ => [At(0.5, 0.7)]);
        s.Run(12, 15, 0.1, _ => []);
        s.Run(15, 30, 0.1, _ => [At(0.51, 0.705)]);
        s.Run(30, 36, 0.1, _ => []);

        var started = Assert.Single(s.Sink.Of(IncidentTransition.Started));
        var ended = Assert.Single(s.Sink.Of(IncidentTransition.Ended));
        Assert.Equal(started.IncidentId, ended.IncidentId);
        Assert.NotEqual(started.TrackId, ended.TrackId);
        Assert.Equal(34.9, ended.PtsSeconds, 6);
    }

    [Fact]
    public void Process_SomeoneElseArrivesFarFromTheLostPerson_GetsTheirOwnClock()
    {
        var s = new RuleScenario(Gate(r => r.HoldSeconds = 5));

        s.Run(0, 12, 0.1, _ => [At(0.4, 0.7)]);
        s.Run(12, 30, 0.1, _ => [At(0.6, 0.7)]);

        var started = s.Sink.Of(IncidentTransition.Started).ToList();
        Assert.Equal(2, started.Count);
        Assert.Equal(20.2, started[1].PtsSeconds, 6);
    }

    [Fact]
    public void Process_OutsideSchoolHours_StaysQuiet()
    {
        // Monday 23 Nov 2026 10:00 UTC = 18:00 in Shanghai: after the 07:00-09:00 and 15:30-17:30 windows.
        var s = new RuleScenario(Gate(r => r.Schedule = new ScheduleDefinition
        {
            Days = ["mon", "tue", "wed", "thu", "fri"],
            Windows = ["07:00-09:00", "15:30-17:30"],
            TimeZone = "Asia/Shanghai",
        }));

        s.Run(0, 20, 0.1, _ => [At(0.5, 0.7)]);

        Assert.Empty(s.Sink.Events);
    }

    [Fact]
    public void Process_ScheduleWithoutTimeZone_UsesTheTimeProvidersLocalZone()
    {
        var shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var def = Gate(r => r.Schedule = new ScheduleDefinition { Windows = ["18:00-19:00"] });
        var s = new RuleScenario(def, localZone: shanghai);

        s.Run(0, 12, 0.1, _ => [At(0.5, 0.7)]);

        Assert.Single(s.Sink.Of(IncidentTransition.Started));
    }

    [Fact]
    public void Process_CooldownPerTrack_SameTrackWaitsOtherTrackDoesNot()
    {
        var s = new RuleScenario(Gate(r =>
        {
            r.CooldownSeconds = 60;
            r.HoldSeconds = 1;
        }));

        // A stands 10 s in the zone, steps out (x=0.2) for 2 s, comes back for 10 s: cooldown holds.
        // B arrives at 14 and stays: B's own incident is not held back by A's cooldown.
        s.Run(0, 10, 0.1, _ => [At(0.5, 0.7)]);
        s.Run(10, 12, 0.1, t => [At(0.5 - ((t - 10) * 0.15), 0.7)]);
        s.Run(12, 14, 0.1, t => [At(0.2 + ((t - 12) * 0.15), 0.7)]);
        s.Run(14, 26, 0.1, _ => [At(0.5, 0.7), At(0.6, 0.6)]);

        var started = s.Sink.Of(IncidentTransition.Started).ToList();
        Assert.Equal(2, started.Count);
        Assert.NotEqual(started[0].TrackId, started[1].TrackId);
        Assert.Equal(600, (started[1].Box.X1 + started[1].Box.X2) / 2, 1);
    }
}
