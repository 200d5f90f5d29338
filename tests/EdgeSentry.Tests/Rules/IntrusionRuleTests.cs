using EdgeSentry.Rules;
using static EdgeSentry.Tests.Rules.RuleScenario;

namespace EdgeSentry.Tests.Rules;

public class IntrusionRuleTests
{
    private static CameraRulesDefinition Yard(Action<RuleDefinition>? tweak = null, List<ZoneDefinition>? masks = null)
    {
        var rule = new RuleDefinition { Id = "night", Kind = "intrusion", Zone = "yard", Classes = ["person"], HoldSeconds = 2 };
        tweak?.Invoke(rule);
        return new CameraRulesDefinition
        {
            Zones = [new ZoneDefinition { Id = "yard", Polygon = Square(0.5, 0.5, 0.9, 0.9) }],
            Masks = masks ?? [],
            Rules = [rule],
        };
    }

    [Fact]
    public void Process_PersonEntersStaysAndLeaves_StartsOnceAndEndsAfterHold()
    {
        var s = new RuleScenario(Yard());

        // Walks in from the left at 10 fps (tracked before it arrives), inside (x >= 0.5) from t = 4.9 to 8.9, then gone.
        s.Run(0, 9, 0.1, t => [At(0.305 + (0.04 * t), 0.7)]);
        s.Run(9, 12, 0.1, _ => []);

        var started = Assert.Single(s.Sink.Of(IncidentTransition.Started));
        var ended = Assert.Single(s.Sink.Of(IncidentTransition.Ended));
        Assert.Equal(4.9, started.PtsSeconds, 6);
        Assert.Equal("intrusion", started.Kind);
        Assert.Equal("yard", started.ZoneId);
        Assert.Equal("person", started.Label);
        Assert.Equal(1, started.Sequence);
        Assert.NotNull(started.TrackId);
        Assert.Equal(started.IncidentId, ended.IncidentId);
        Assert.Equal(2, ended.Sequence);
        // Last seen at 8.9, ended on the first frame >= 2 s later.
        Assert.Equal(10.9, ended.PtsSeconds, 6);
        Assert.Equal(4.0, ended.DurationSeconds!.Value, 6);
        Assert.Equal(1, ended.PeakObjectCount);
        Assert.Equal(s.WallStart + TimeSpan.FromSeconds(4.9), started.At);
        Assert.Equal(started.At, ended.StartedAt);
        Assert.Equal(1000, started.FrameWidth);
    }

    [Fact]
    public void Process_ObjectOutsideZone_RaisesNothing()
    {
        var s = new RuleScenario(Yard());

        s.Run(0, 10, 0.1, _ => [At(0.3, 0.7)]);

        Assert.Empty(s.Sink.Events);
    }

    [Fact]
    public void Process_DetectionGapShorterThanHold_DoesNotSplitTheIncident()
    {
        // 1.8 s without detections: longer than the tracker's lost time (the track dies and is reborn),
        // shorter than the rule's 3 s hold.
        var s = new RuleScenario(Yard(r => r.HoldSeconds = 3));

        s.Run(0, 4, 0.1, _ => [At(0.7, 0.7)]);
        s.Run(4, 5.8, 0.1, _ => []);
        s.Run(5.8, 9, 0.1, _ => [At(0.7, 0.7)]);
        s.Run(9, 13, 0.1, _ => []);

        Assert.Single(s.Sink.Of(IncidentTransition.Started));
        var ended = Assert.Single(s.Sink.Of(IncidentTransition.Ended));
        Assert.Equal(8.9 + 3, ended.PtsSeconds, 6);
    }

    [Fact]
    public void Process_DetectionGapLongerThanHold_SplitsIntoTwoIncidents()
    {
        var s = new RuleScenario(Yard(r => r.HoldSeconds = 1));

        s.Run(0, 4, 0.1, _ => [At(0.7, 0.7)]);
        s.Run(4, 6, 0.1, _ => []);
        s.Run(6, 9, 0.1, _ => [At(0.7, 0.7)]);

        var started = s.Sink.Of(IncidentTransition.Started).ToList();
        Assert.Equal(2, started.Count);
        Assert.NotEqual(started[0].IncidentId, started[1].IncidentId);
    }

    [Fact]
    public void Process_ReturnWithinCooldown_WaitsForTheCooldownToExpire()
    {
        var s = new RuleScenario(Yard(r => r.CooldownSeconds = 10));

        s.Run(0, 3, 0.1, _ => [At(0.7, 0.7)]);      // incident 1, last seen 2.9
        s.Run(3, 6, 0.1, _ => []);                  // ended at 4.9, quiet until 14.9
        s.Run(6, 20, 0.1, _ => [At(0.7, 0.7)]);     // back at 6.0: inside the cooldown

        var started = s.Sink.Of(IncidentTransition.Started).ToList();
        Assert.Equal(2, started.Count);
        Assert.Equal(4.9, s.Sink.Of(IncidentTransition.Ended).Single().PtsSeconds, 6);
        Assert.Equal(14.9, started[1].PtsSeconds, 6);
    }

    [Fact]
    public void Process_OutsideScheduleWindow_StaysQuietAndFiresInside()
    {
        // 22:00-06:00 in Shanghai (UTC+8). 13:59:50 UTC is 21:59:50 local: armed 10 s into the run.
        var def = Yard(r => r.Schedule = new ScheduleDefinition { Windows = ["22:00-06:00"], TimeZone = "Asia/Shanghai" });
        var s = new RuleScenario(def, wallStart: new DateTimeOffset(2026, 11, 23, 13, 59, 50, TimeSpan.Zero));

        s.Run(0, 20, 0.1, _ => [At(0.7, 0.7)]);

        var started = Assert.Single(s.Sink.Of(IncidentTransition.Started));
        Assert.Equal(10.0, started.PtsSeconds, 6);
    }

    [Fact]
    public void Process_ScheduleWindowCloses_EndsTheIncidentAfterHold()
    {
        // 05:59:50 local: the window closes 10 s in, the hold of 2 s ends the incident at 12.
        var def = Yard(r => r.Schedule = new ScheduleDefinition { Days = ["mon"], Windows = ["22:00-06:00"], TimeZone = "Asia/Shanghai" });
        // Monday 23 Nov 2026 05:59:50 in Shanghai is Sunday 21:59:50 UTC; the window opened on Sunday, so give Sunday too.
        def.Rules[0].Schedule!.Days = ["sun"];
        var s = new RuleScenario(def, wallStart: new DateTimeOffset(2026, 11, 22, 21, 59, 50, TimeSpan.Zero));

        s.Run(0, 20, 0.1, _ => [At(0.7, 0.7)]);

        Assert.Single(s.Sink.Of(IncidentTransition.Started));
        Assert.Equal(11.9, s.Sink.Of(IncidentTransition.Ended).Single().PtsSeconds, 6);
    }

    [Fact]
    public void Process_ScheduleDayNotListed_StaysQuiet()
    {
        var def = Yard(r => r.Schedule = new ScheduleDefinition { Days = ["sat", "sun"], Windows = ["00:00-24:00"], TimeZone = "UTC" });
        var s = new RuleScenario(def); // Monday

        s.Run(0, 10, 0.1, _ => [At(0.7, 0.7)]);

        Assert.Empty(s.Sink.Events);
    }

    [Fact]
    public void Process_DetectionInMask_IsIgnored()
    {
        var masks = new List<ZoneDefinition> { new() { Id = "tree", Polygon = Square(0.6, 0.6, 0.8, 0.8) } };
        var s = new RuleScenario(Yard(masks: masks));

        s.Run(0, 10, 0.1, _ => [At(0.7, 0.7)]);

        Assert.Empty(s.Sink.Events);
        Assert.Equal(100, s.Engine.DetectionsMasked);
    }

    [Theory]
    [InlineData(Car, 0.9f, 0.05, 0.15)]        // wrong class
    [InlineData(Person, 0.55f, 0.05, 0.15)]    // below the per-class minimum score
    [InlineData(Person, 0.9f, 0.01, 0.02)]     // smaller than minSize
    [InlineData(Person, 0.9f, 0.3, 0.4)]       // larger than maxSize
    public void Process_FilteredObject_RaisesNothing(int classId, float score, double width, double height)
    {
        var s = new RuleScenario(Yard(r =>
        {
            r.MinScores = new() { ["person"] = 0.7 };
            r.MinSize = [0.02, 0.05];
            r.MaxSize = [0.2, 0.3];
        }));

        s.Run(0, 10, 0.1, _ => [At(0.7, 0.7, classId, score, width, height)]);

        Assert.Empty(s.Sink.Events);
    }

    [Fact]
    public void Process_TwoPeopleInZone_OneIncidentCountingBoth()
    {
        var s = new RuleScenario(Yard(r => r.UpdateSeconds = 5));

        s.Run(0, 3, 0.1, _ => [At(0.6, 0.7)]);
        s.Run(3, 12, 0.1, _ => [At(0.6, 0.7), At(0.8, 0.8)]);
        s.Run(12, 15, 0.1, _ => []);

        Assert.Single(s.Sink.Of(IncidentTransition.Started));
        var updated = s.Sink.Of(IncidentTransition.Updated).ToList();
        Assert.NotEmpty(updated);
        Assert.Equal(2, updated[^1].ObjectCount);
        Assert.Equal(2, s.Sink.Of(IncidentTransition.Ended).Single().PeakObjectCount);
        Assert.Equal(Enumerable.Range(1, s.Sink.Events.Count), s.Sink.Events.Select(e => e.Sequence));
    }

    [Fact]
    public void Process_HeartbeatPeriod_SendsUpdatedEveryPeriod()
    {
        var s = new RuleScenario(Yard(r => r.UpdateSeconds = 5));

        s.Run(0, 21, 0.1, _ => [At(0.7, 0.7)]);

        var updated = s.Sink.Of(IncidentTransition.Updated).Select(e => e.PtsSeconds).ToList();
        Assert.Equal([5.2, 10.2, 15.2, 20.2], updated.Select(p => Math.Round(p, 1)));
    }

    [Fact]
    public void Flush_OpenIncident_EndsIt()
    {
        var s = new RuleScenario(Yard());
        s.Run(0, 5, 0.1, _ => [At(0.7, 0.7)]);

        s.Flush(5.0);

        var ended = Assert.Single(s.Sink.Of(IncidentTransition.Ended));
        Assert.Equal(5.0, ended.PtsSeconds, 6);
        Assert.Equal(s.Sink.Events[0].IncidentId, ended.IncidentId);
    }

    [Fact]
    public void Process_PtsJumpsBack_KeepsStreamTimeMonotonic()
    {
        var s = new RuleScenario(Yard());
        s.Run(0, 5, 0.1, _ => [At(0.7, 0.7)]);

        // The source restarted and its pts begin at 0 again; the object is gone.
        s.Run(0, 3, 0.1, _ => []);

        var ended = Assert.Single(s.Sink.Of(IncidentTransition.Ended));
        Assert.True(ended.PtsSeconds > ended.StartedPtsSeconds);
    }

    [Fact]
    public void Process_SteadyFramesWithoutTransitions_AllocateNothing()
    {
        var s = new RuleScenario(Yard(r => r.UpdateSeconds = 0));
        var dets = new[] { At(0.7, 0.7), At(0.6, 0.6), At(0.2, 0.2) };
        s.Run(0, 2, 0.1, _ => dets);
        var at = s.WallStart;

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            s.Engine.Process(dets, Size, Size, 2 + (i * 0.1), at, s.Sink);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Single(s.Sink.Events);
        Assert.Equal(0, allocated);
    }
}
