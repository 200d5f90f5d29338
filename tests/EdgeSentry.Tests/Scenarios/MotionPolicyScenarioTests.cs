using EdgeSentry.Motion;
using EdgeSentry.Rules;
using EdgeSentry.Tests.Peers;
using EdgeSentry.Tests.Motion;
using EdgeSentry.Tests.Rules;
using Xunit.Abstractions;

namespace EdgeSentry.Tests.Scenarios;

/// <summary>
/// Acceptance of the motion policy: on the scenario footage it raises the same incidents as full-rate
/// detection (same kinds and counts per rule, each start within one second, the same line counts). Every
/// decoded frame is measured for motion by the real <see cref="DetectionGate"/>; the frames it passes on
/// get the detections full rate gave that very frame (the detector is deterministic, so this is what
/// detecting only those frames yields), and only those frames reach the tracker and rules.
/// </summary>
[Collection(FootageCollection.Name)]
public class MotionPolicyScenarioTests(ITestOutputHelper output)
{
    private static readonly List<string> CarLabels = ["car", "truck", "bus", "cell phone", "suitcase"];

    public static TheoryData<string> Scenarios => ["indoor-loitering", "gym-crowd", "parking-lane"];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task MotionPolicy_ScenarioFootage_SameIncidentsAsFullRate(string scenario)
    {
        var (clipFile, stride, rules) = Scenario(scenario);
        var clip = await FootageDetections.OfAsync(SharedPaths.Clip(clipFile), stride);

        var (fullEngine, full) = FootageReplay.Run(clip, rules);
        var (gatedEngine, gated, gate) = await RunGatedAsync(clip, clipFile, stride, rules);

        output.WriteLine($"{scenario}: {gate.FramesDetected} of {clip.Frames.Count} frames detected ({gate.FramesSkipped} skipped), motion in {gate.MotionFraction:P0} of frames");
        output.WriteLine("full rate:" + Environment.NewLine + FootageReplay.Describe(full.Events));
        output.WriteLine("motion policy:" + Environment.NewLine + FootageReplay.Describe(gated.Events));

        Assert.Equal(clip.Frames.Count, gate.FramesDetected + gate.FramesSkipped);
        Assert.NotEmpty(full.Of(IncidentTransition.Started));
        foreach (var transition in new[] { IncidentTransition.Started, IncidentTransition.Ended })
        {
            var expected = full.Of(transition).Select(e => (e.Kind, e.RuleId)).Order().ToList();
            var actual = gated.Of(transition).Select(e => (e.Kind, e.RuleId)).Order().ToList();
            Assert.Equal(expected, actual);
        }

        foreach (var byRule in full.Of(IncidentTransition.Started).GroupBy(e => e.RuleId))
        {
            var fullStarts = byRule.Select(e => e.PtsSeconds).ToList();
            var gatedStarts = gated.Of(IncidentTransition.Started).Where(e => e.RuleId == byRule.Key).Select(e => e.PtsSeconds).ToList();
            for (int i = 0; i < fullStarts.Count; i++)
            {
                Assert.True(Math.Abs(fullStarts[i] - gatedStarts[i]) <= 1.0, $"{byRule.Key} #{i + 1}: full rate {fullStarts[i]:F2} s, motion policy {gatedStarts[i]:F2} s");
            }
        }

        if (scenario == "parking-lane")
        {
            foreach (var rule in new[] { "count-up", "count-down" })
            {
                Assert.Equal(
                    CarLabels.Sum(l => fullEngine.LineCrossings(rule, clip.ClassOf(l))),
                    CarLabels.Sum(l => gatedEngine.LineCrossings(rule, clip.ClassOf(l))));
            }
        }

        if (scenario == "indoor-loitering")
        {
            // The room is empty for the first 6 s: keep-alive only. (Measured: the motion measure stays up while
            // a visitor's "ghost" fades from the background, and the next one comes within seconds, so these
            // three clips run at full rate most of the time; the savings are on still cameras.)
            Assert.True(gate.FramesSkipped >= 40, $"only {gate.FramesSkipped} frames skipped: the policy was not exercised");
        }
    }

    private static async Task<(CameraRuleEngine Engine, RecordingSink Sink, DetectionGate Gate)> RunGatedAsync(FootageDetections clip, string clipFile, int stride, CameraRulesDefinition rules)
    {
        var engine = new CameraRuleEngine("footage", rules, clip.Labels, TimeProvider.System);
        var sink = new RecordingSink();
        var gate = new DetectionGate(new DetectionPolicySection { Policy = "motion" }, rules.Masks, () => TrackActivity.Live(engine.Tracker.Tracks));
        int k = 0;
        await FootageFrames.ForEachAsync(SharedPaths.Clip(clipFile), (frame, _) =>
        {
            // The frames the camera's rate limit lets through (every stride-th) are the ones measured and offered.
            var recorded = clip.Frames[k];
            long sequence = k++;
            gate.Observe(frame.Image, recorded.PtsSeconds);
            if (gate.ShouldDetect(recorded.PtsSeconds, sequence))
            {
                engine.Process(recorded.Detections, clip.Width, clip.Height, recorded.PtsSeconds, FootageReplay.WallStart + TimeSpan.FromSeconds(recorded.PtsSeconds), sink);
                gate.Detected(recorded.PtsSeconds, sequence);
            }
        }, stride: stride);

        double end = clip.FramesDecoded / clip.FramesPerSecond;
        engine.Flush(end, FootageReplay.WallStart + TimeSpan.FromSeconds(end), sink);
        return (engine, sink, gate);
    }

    private static (string Clip, int Stride, CameraRulesDefinition Rules) Scenario(string name) => name switch
    {
        // The rules of IndoorLoiteringScenarioTests, GymCrowdScenarioTests and ParkingLaneScenarioTests.
        "indoor-loitering" => ("intel_indoor_people_one_by_one_h264.mp4", 1, new CameraRulesDefinition
        {
            Zones = [new ZoneDefinition { Id = "table", Polygon = [[0.42, 0.80], [0.75, 0.80], [0.75, 0.975], [0.42, 0.975]] }],
            Rules = [new RuleDefinition { Id = "linger", Kind = "loitering", Zone = "table", Classes = ["person"], MinScore = 0.5, DwellSeconds = 8, UpdateSeconds = 0 }],
        }),
        "gym-crowd" => ("meva_school_gym_crowd_annotated_h264.mp4", 3, new CameraRulesDefinition
        {
            Zones = [new ZoneDefinition { Id = "floor", Polygon = [[0.16, 0.36], [1, 0.30], [1, 1], [0.42, 1], [0.16, 0.47]] }],
            Rules = [new RuleDefinition { Id = "gathering", Kind = "crowd", Zone = "floor", Classes = ["person"], MinScore = 0.1, MinCount = 10, DwellSeconds = 3, UpdateSeconds = 0 }],
        }),
        _ => ("intel_parking_cars.mp4", 1, new CameraRulesDefinition
        {
            Zones = [new ZoneDefinition { Id = "lane", Polygon = [[0, 0], [1, 0], [1, 1], [0, 1]] }],
            Lines =
            [
                new LineDefinition { Id = "across-up", From = [0, 0.58], To = [1, 0.58], Direction = [0, -1] },
                new LineDefinition { Id = "across-down", From = [0, 0.58], To = [1, 0.58], Direction = [0, 1] },
            ],
            Rules =
            [
                new RuleDefinition { Id = "only-up", Kind = "wrong-way", Zone = "lane", Direction = [0, -1], Classes = CarLabels, MinScore = 0.3, UpdateSeconds = 0 },
                new RuleDefinition { Id = "only-down", Kind = "wrong-way", Zone = "lane", Direction = [0, 1], Classes = CarLabels, MinScore = 0.3, UpdateSeconds = 0 },
                new RuleDefinition { Id = "count-up", Kind = "line-crossing", Line = "across-up", Classes = CarLabels, MinScore = 0.3 },
                new RuleDefinition { Id = "count-down", Kind = "line-crossing", Line = "across-down", Classes = CarLabels, MinScore = 0.3 },
            ],
        }),
    };
}
