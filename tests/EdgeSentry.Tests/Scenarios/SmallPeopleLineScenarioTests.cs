using EdgeSentry.Rules;
using EdgeSentry.Tests.Peers;
using EdgeSentry.Tests.Rules;
using EdgeSentry.Tracking;
using Xunit.Abstractions;

namespace EdgeSentry.Tests.Scenarios;

/// <summary>
/// <c>meva_school_gym_crowd_annotated_h264.mp4</c> (480x360), every 3rd frame detected by yolox_nano. A
/// counting line stands at the back right of the court floor (x = 0.82, between the rows of chairs and
/// the far door), where people are 40-60 px tall and yolox_nano scores them mostly 0.25-0.5. Watched
/// (crops at 0.5 s steps): a person walks left to right across it at about 0.3-1.3 s, and another at
/// about 11.1-12.1 s. ByteTrack's default levels (tracks start at 0.6) never start tracks for them; the
/// model's measured track-birth levels (its manifest) do, with the default configuration.
/// </summary>
[Collection(FootageCollection.Name)]
public class SmallPeopleLineScenarioTests(ITestOutputHelper output)
{
    private const int Stride = 3;

    /// <summary>The two watched crossings, stream seconds (from the last frame before to the first after).</summary>
    private static readonly (double From, double To)[] Crossings = [(0.3, 1.5), (11.0, 12.2)];

    [Fact]
    public async Task Process_SmallDistantPeopleCrossTheLine_CountedWithTheModelsTrackBirthLevels()
    {
        var clip = await FootageDetections.OfAsync(SharedPaths.Clip("meva_school_gym_crowd_annotated_h264.mp4"), Stride);
        int person = clip.ClassOf("person");

        var (engine, sink) = FootageReplay.Run(clip, Rules(tracker: null));
        var counted = sink.Events.Where(e => e.Transition != IncidentTransition.Ended).ToList();
        output.WriteLine(FootageReplay.Describe(counted));

        // The defaults of this model are its manifest's levels, well below ByteTrack's.
        Assert.True(FootageReplay.ModelTracking.NewTrackScore < 0.6f, $"yolox_nano's newTrackScore is {FootageReplay.ModelTracking.NewTrackScore}");
        foreach (var (from, to) in Crossings)
        {
            var crossing = counted.Where(e => e.PtsSeconds >= from && e.PtsSeconds <= to).ToList();
            var e = Assert.Single(crossing);
            Assert.Equal("person", e.Label);
            // Small and distant: under a sixth of the frame's height.
            Assert.True(e.Box.Height < clip.Height / 6.0, $"{e.PtsSeconds:F1} s: box {e.Box.Height:F0} px tall");
        }

        // The same footage with ByteTrack's levels set explicitly: those two people never become tracks,
        // and no crossing it does count is lost with the model's levels.
        var (byteTrack, byteTrackSink) = FootageReplay.Run(clip, Rules(new TrackerDefinition { HighScore = 0.5, NewTrackScore = 0.6 }));
        output.WriteLine($"ByteTrack levels:{Environment.NewLine}{FootageReplay.Describe(byteTrackSink.Events.Where(e => e.Transition != IncidentTransition.Ended))}");
        foreach (var (from, to) in Crossings)
        {
            Assert.DoesNotContain(byteTrackSink.Events, e => e.Transition != IncidentTransition.Ended && e.PtsSeconds >= from && e.PtsSeconds <= to);
        }

        Assert.True(
            engine.LineCrossings("count", person) >= byteTrack.LineCrossings("count", person) + Crossings.Length,
            $"model levels: {engine.LineCrossings("count", person)} crossings, ByteTrack levels: {byteTrack.LineCrossings("count", person)}");
    }

    private static CameraRulesDefinition Rules(TrackerDefinition? tracker) => new()
    {
        Lines = [new LineDefinition { Id = "back-right", From = [0.82, 0.35], To = [0.82, 0.6] }],
        // Everything else default: no minimum score, no size limits.
        Rules = [new RuleDefinition { Id = "count", Kind = "line-crossing", Line = "back-right", Classes = ["person"] }],
        Tracker = tracker,
    };
}
