using EdgeSentry.Rules;
using EdgeSentry.Tests.Peers;
using Xunit.Abstractions;

namespace EdgeSentry.Tests.Scenarios;

/// <summary>
/// <c>intel_parking_cars.mp4</c> (768x432, 12.5 fps, 30.2 s; camera straight down on a parking-lot lane),
/// decoded and detected for real. Watched (two frames a second): four cars drive through, none stops.
/// "Up" is towards the top of the picture.
/// <list type="number">
/// <item>white car, enters at the bottom about 4.5 s, leaves at the top about 8.5 s: up</item>
/// <item>silver-teal car, enters at the top about 14.5 s, leaves at the bottom about 18.5 s: down</item>
/// <item>red car, enters at the bottom right about 15.5 s, leaves at the top about 19.5 s: up (passes the teal one side by side)</item>
/// <item>white car, enters at the top about 25.5 s, leaves at the bottom about 28 s: down</item>
/// </list>
/// So: 2 passes up, 2 down. A wrong-way rule that allows only "up" raises one incident for each of
/// the 2 downward passes and none for the upward ones, and vice versa; a line across the lane counts
/// 2 crossings in each direction.
/// </summary>
/// <remarks>
/// Classes, honestly: yolox_nano (COCO) has never seen cars from straight above. It calls them
/// "cell phone" most of the time (scores up to 0.94), sometimes "car", "bus", "truck" or "suitcase"
/// (the red car is "suitcase" and "cell phone" in the lower half and "bus" in the upper half), and for
/// a frame or two at the picture's edge "toilet", "airplane" or "bottle". The rules take the five labels
/// the model gives these cars for more than a few frames. The tracker associates within a label first; a
/// confident box of another label lying on a car's track (the red car turning "bus") continues that track
/// instead of starting one, so at yolox_nano's own (low) track-birth levels the car still counts once.
/// The line sits at y = 0.58: objects are placed by their box's bottom edge, which for a car entering
/// from the top is its front and is only confirmed as a track a little way into the picture.
/// </remarks>
[Collection(FootageCollection.Name)]
public class ParkingLaneScenarioTests(ITestOutputHelper output)
{
    private static readonly List<string> CarLabels = ["car", "truck", "bus", "cell phone", "suitcase"];

    private static readonly (double Enter, double Leave)[] UpPasses = [(4.5, 8.5), (15.5, 19.5)];
    private static readonly (double Enter, double Leave)[] DownPasses = [(14.5, 18.5), (25.5, 28.5)];

    private static Task<FootageDetections> Clip() => FootageDetections.OfAsync(SharedPaths.Clip("intel_parking_cars.mp4"));

    private static CameraRulesDefinition Lane() => new()
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
    };

    [Theory]
    [InlineData("only-up")]
    [InlineData("only-down")]
    public async Task Process_WrongWayRuleForOneDirection_OneIncidentPerPassAgainstItNoneAlongIt(string ruleId)
    {
        var clip = await Clip();

        var (_, sink) = FootageReplay.Run(clip, Lane());
        var events = sink.Events.Where(e => e.RuleId == ruleId).ToList();
        output.WriteLine(FootageReplay.Describe(events));

        var against = ruleId == "only-up" ? DownPasses : UpPasses;
        var started = events.Where(e => e.Transition == IncidentTransition.Started).ToList();
        Assert.True(started.Count == against.Length, $"{ruleId}: expected {against.Length} incidents:{Environment.NewLine}{FootageReplay.Describe(events)}");
        Assert.Equal(against.Length, events.Count(e => e.Transition == IncidentTransition.Ended));
        for (int i = 0; i < against.Length; i++)
        {
            // Each incident belongs to a car driving against the rule, while it is in the picture; none
            // falls on a pass along the allowed direction.
            Assert.InRange(started[i].PtsSeconds, against[i].Enter, against[i].Leave);
            Assert.Contains(started[i].Label, CarLabels);
        }
    }

    [Fact]
    public async Task LineCrossings_LineAcrossTheLane_TwoPassesEachWay()
    {
        var clip = await Clip();

        var (engine, sink) = FootageReplay.Run(clip, Lane());
        output.WriteLine(FootageReplay.Describe(sink.Events.Where(e => e.Kind == "line-crossing")));

        int Count(string ruleId) => CarLabels.Sum(label => engine.LineCrossings(ruleId, clip.ClassOf(label)));
        Assert.Equal(UpPasses.Length, Count("count-up"));
        Assert.Equal(DownPasses.Length, Count("count-down"));
        Assert.Equal(377, clip.FramesDecoded);
    }
}
