using System.Text.Json;
using EdgeSentry.Rules;
using static EdgeSentry.Tests.Rules.RuleScenario;

namespace EdgeSentry.Tests.Rules;

public class CameraRuleEngineTests
{
    [Fact]
    public void Constructor_InvalidRules_ThrowsWithEveryError()
    {
        var d = new CameraRulesDefinition
        {
            Rules = [new RuleDefinition { Id = "a", Kind = "intrusion", Zone = "nowhere" }, new RuleDefinition { Id = "b", Kind = "crowd" }],
        };

        var e = Assert.Throws<ArgumentException>(() => new CameraRuleEngine("gate-3", d, Labels, TimeProvider.System));

        Assert.Contains("gate-3.rules[0].zone: 'nowhere' is not a zone", e.Message, StringComparison.Ordinal);
        Assert.Contains("gate-3.rules[1].minCount: is required for crowd", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Process_DisabledRule_NeverFires()
    {
        var d = new CameraRulesDefinition { Rules = [new RuleDefinition { Id = "a", Kind = "intrusion", Enabled = false }] };
        var s = new RuleScenario(d);

        s.Run(0, 5, 0.1, _ => [At(0.5, 0.5)]);

        Assert.Empty(s.Sink.Events);
    }

    [Fact]
    public void Process_IncidentIds_AreUniqueAndNameCameraAndRule()
    {
        var d = new CameraRulesDefinition
        {
            Rules =
            [
                new RuleDefinition { Id = "all", Kind = "intrusion", HoldSeconds = 0.5 },
                new RuleDefinition { Id = "people", Kind = "intrusion", Classes = ["person"], HoldSeconds = 0.5 },
            ],
        };
        var s = new RuleScenario(d);

        s.Run(0, 2, 0.1, _ => [At(0.5, 0.5)]);
        s.Run(2, 3, 0.1, _ => []);
        s.Run(3, 5, 0.1, _ => [At(0.5, 0.5)]);

        var ids = s.Sink.Of(IncidentTransition.Started).Select(e => e.IncidentId).ToList();
        Assert.Equal(4, ids.Count);
        Assert.Equal(4, ids.Distinct().Count());
        Assert.All(ids, id => Assert.StartsWith("cam1-", id, StringComparison.Ordinal));
        Assert.StartsWith("cam1-all-20261123T100000200Z-", ids[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Process_StateChanges_AreLoggedOnceEach()
    {
        var d = new CameraRulesDefinition
        {
            // The scenario starts at 10:00:00 UTC; the window opens at 10:01 (frame 60). Three objects
            // for two slots until frame 50.
            Rules = [new RuleDefinition { Id = "late", Kind = "intrusion", Schedule = new ScheduleDefinition { Windows = ["10:01-11:00"], TimeZone = "UTC" } }],
            Tracker = new TrackerDefinition { MaxTracks = 2 },
        };
        var logger = new CollectingLogger();
        var engine = new CameraRuleEngine("cam9", d, Labels, TimeProvider.System) { Logger = logger };
        var sink = new RecordingSink();
        var start = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        global::EdgeSentry.Detection.Detection[] three = [At(0.2, 0.5), At(0.5, 0.5), At(0.8, 0.5)];

        for (int i = 0; i < 100; i++)
        {
            engine.Process(i < 50 ? three : three[..2], Size, Size, i, start.AddSeconds(i), sink);
        }

        engine.Process([], Size, Size, 5, start.AddSeconds(100), sink);

        Assert.Equal(
            [
                (3001, "Camera cam9: all 2 track slots are in use; new objects are not tracked until some leave"),
                (3004, "Camera cam9: rule late is now disarmed by its schedule"),
                (3002, "Camera cam9: tracking new objects again (50 detections could not start a track meanwhile)"),
                (3004, "Camera cam9: rule late is now armed by its schedule"),
                (3003, "Camera cam9: frame time went back from 99.000 s to 5.000 s (source restarted?); rules continue on a shifted clock"),
            ],
            logger.Entries.Select(e => (e.EventId, e.Message)));
    }

    [Fact]
    public void Process_EveryRuleKindSteadyState_AllocatesNothing()
    {
        var d = JsonSerializer.Deserialize<CameraRulesDefinition>(ExampleConfiguration.Json, RuleDefinitionsTests.Json)!;
        foreach (var rule in d.Rules)
        {
            rule.UpdateSeconds = 0;
            rule.Schedule = null;
            rule.DwellSeconds = rule.DwellSeconds is null ? null : 1;
        }

        var s = new RuleScenario(d);
        // Twelve people at the gate (crowd, loitering), cars standing in the lane (parking), people in the yard (intrusion).
        global::EdgeSentry.Detection.Detection[] Frame(double t)
        {
            var list = new List<global::EdgeSentry.Detection.Detection>();
            for (int i = 0; i < 12; i++)
            {
                list.Add(At(0.33 + (i * 0.03) + (0.002 * Math.Sin(t + i)), 0.62 + ((i % 3) * 0.1)));
            }

            for (int i = 0; i < 4; i++)
            {
                list.Add(At(0.55 + (i * 0.1), 0.35 + (0.001 * Math.Cos(t)), Car, 0.9f, 0.08, 0.06));
                list.Add(At(0.1 + (i * 0.08), 0.4, Person, 0.8f));
            }

            return [.. list];
        }

        var frames = Enumerable.Range(0, 300).Select(i => Frame(i * 0.04)).ToArray();
        for (int i = 0; i < 300; i++)
        {
            s.Frame(i * 0.04, frames[i]);
        }

        Assert.Equal(["crowd", "intrusion", "loitering", "parking"], s.Sink.Events.Select(e => e.Kind).Distinct().Order());
        int published = s.Sink.Events.Count;
        var at = s.WallStart;

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 300; i++)
        {
            s.Engine.Process(frames[i], Size, Size, 12 + (i * 0.04), at, s.Sink);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(published, s.Sink.Events.Count);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Constructor_NoTrackerBlock_UsesTheModelsLevels()
    {
        var model = new EdgeSentry.Tracking.TrackerOptions { HighScore = 0.25f, LowScore = 0.1f, NewTrackScore = 0.3f };

        var engine = new CameraRuleEngine("cam1", new CameraRulesDefinition(), Labels, TimeProvider.System, model);

        Assert.Equal(model, engine.TrackerOptions);
    }

    [Fact]
    public void Constructor_TrackerBlockSetsSomeLevels_OverridesOnlyThose()
    {
        var model = new EdgeSentry.Tracking.TrackerOptions { HighScore = 0.25f, LowScore = 0.1f, NewTrackScore = 0.3f };
        var d = new CameraRulesDefinition { Tracker = new TrackerDefinition { NewTrackScore = 0.45, MaxTracks = 32 } };

        var engine = new CameraRuleEngine("cam1", d, Labels, TimeProvider.System, model);

        Assert.Equal(0.45f, engine.TrackerOptions.NewTrackScore);
        Assert.Equal(0.25f, engine.TrackerOptions.HighScore);
        Assert.Equal(0.1f, engine.TrackerOptions.LowScore);
        Assert.Equal(32, engine.TrackerOptions.MaxTracks);
        Assert.Equal(32, engine.Tracker.Tracks.Length);
    }

    [Fact]
    public void Process_EdgeIdSet_IncidentIdIsEdgeIdColonThenTheCameraScopedId()
    {
        var rules = new CameraRulesDefinition
        {
            Zones = [new ZoneDefinition { Id = "yard", Polygon = Square(0.5, 0.5, 0.9, 0.9) }],
            Rules = [new RuleDefinition { Id = "night.v2", Kind = "intrusion", Zone = "yard", Classes = ["person"], HoldSeconds = 1 }],
        };
        var withEdge = new RuleScenario(rules, cameraId: "gate-1", edgeId: "edge-07");
        var alone = new RuleScenario(rules, cameraId: "gate-1");

        withEdge.Run(0, 2, 0.1, _ => [At(0.7, 0.7)]);
        alone.Run(0, 2, 0.1, _ => [At(0.7, 0.7)]);

        IncidentEvent started = Assert.Single(withEdge.Sink.Of(IncidentTransition.Started));
        string id = started.IncidentId;
        string start = started.At.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"gate-1-night.v2-{start}-1", Assert.Single(alone.Sink.Of(IncidentTransition.Started)).IncidentId);
        Assert.Equal($"edge-07:gate-1-night.v2-{start}-1", id);
        Assert.Equal("edge-07", id[..id.IndexOf(':', StringComparison.Ordinal)]);
        Assert.Equal("edge-07", withEdge.Engine.EdgeId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("edge:7")]
    [InlineData("edge/7")]
    [InlineData("edge+7")]
    [InlineData("edge#7")]
    public void EdgeId_NotUsableAsTheIdPrefix_Throws(string edgeId)
    {
        var e = Assert.Throws<ArgumentException>(() => new RuleScenario(new CameraRulesDefinition(), edgeId: edgeId));

        Assert.Contains(edgeId.Length == 0 ? "''" : edgeId, e.Message, StringComparison.Ordinal);
    }
}
