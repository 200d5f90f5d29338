using EdgeSentry.Rules;
using EdgeSentry.Tests.Peers;
using Xunit.Abstractions;

namespace EdgeSentry.Tests.Scenarios;

/// <summary>
/// <c>intel_indoor_people_one_by_one_h264.mp4</c> (768x432, 10 fps, 139.4 s), decoded and detected for real.
/// Watched frame by frame (1 fps contact sheets): six people come in one at a time from below the camera,
/// stand at the small round table with their backs to the camera, then leave to the right. Standing at
/// the table (feet on the floor in front of it), to the second:
/// <list type="number">
/// <item>woman in a grey cardigan, 0:07-0:18 (about 11 s)</item>
/// <item>man in black, 0:24-0:43 (about 19 s)</item>
/// <item>blonde woman in black, 0:52-1:08 (about 16 s)</item>
/// <item>man in a black t-shirt, 1:16-1:24 (about 9 s)</item>
/// <item>woman with dark hair and a checked jacket, 1:34-1:58 (about 24 s)</item>
/// <item>man in a grey shirt, 2:05-2:14 (about 9 s)</item>
/// </list>
/// (PROVENANCE.md's rough times undersell the two short visits; the frames above are what the clip shows.)
/// So every one of the six stays at least 8 s: a loitering rule with T = 8 s raises six incidents, one
/// per person; with T = 14 s only the 2nd, 3rd and 5th person linger long enough.
/// </summary>
[Collection(FootageCollection.Name)]
public class IndoorLoiteringScenarioTests(ITestOutputHelper output)
{
    /// <summary>When each person is at the table (s), from watching the clip; a little slack at both ends.</summary>
    private static readonly (double Arrive, double Leave)[] People =
        [(7, 19), (23, 44), (51, 69), (75, 86), (93, 119), (124, 136)];

    private static Task<FootageDetections> Clip() =>
        FootageDetections.OfAsync(SharedPaths.Clip("intel_indoor_people_one_by_one_h264.mp4"));

    /// <summary>The floor in front of the table, where the feet (box bottom-centres) of someone standing at it are.</summary>
    private static CameraRulesDefinition AtTheTable(double dwellSeconds) => new()
    {
        Zones = [new ZoneDefinition { Id = "table", Polygon = [[0.42, 0.80], [0.75, 0.80], [0.75, 0.975], [0.42, 0.975]] }],
        Rules =
        [
            new RuleDefinition
            {
                Id = "linger", Kind = "loitering", Zone = "table", Classes = ["person"], MinScore = 0.5,
                DwellSeconds = dwellSeconds, UpdateSeconds = 0,
            },
        ],
    };

    [Fact]
    public async Task Process_PeopleStayingEightSecondsAtTheTable_OneLoiteringIncidentPerPerson()
    {
        var clip = await Clip();

        var (_, sink) = FootageReplay.Run(clip, AtTheTable(8));
        output.WriteLine(FootageReplay.Describe(sink.Events));

        var started = sink.Of(IncidentTransition.Started).ToList();
        var ended = sink.Of(IncidentTransition.Ended).ToList();
        Assert.True(started.Count == People.Length, $"expected {People.Length} incidents, one per person:{Environment.NewLine}{FootageReplay.Describe(sink.Events)}");
        Assert.Equal(People.Length, ended.Count);
        Assert.Equal(People.Length, started.Select(e => e.TrackId).Distinct().Count());
        for (int i = 0; i < People.Length; i++)
        {
            // Fires 8 s after the person reached the table, while they are still there.
            Assert.InRange(started[i].PtsSeconds, People[i].Arrive + 8, People[i].Leave);
            Assert.Equal(started[i].IncidentId, ended[i].IncidentId);
            Assert.True(ended[i].DurationSeconds >= 8, $"person {i + 1}: {ended[i].DurationSeconds} s");
            Assert.Equal("person", started[i].Label);
        }
    }

    [Fact]
    public async Task Process_LoiteringAfterFourteenSeconds_OnlyTheThreeLongStays()
    {
        var clip = await Clip();

        var (_, sink) = FootageReplay.Run(clip, AtTheTable(14));
        output.WriteLine(FootageReplay.Describe(sink.Events));

        var started = sink.Of(IncidentTransition.Started).ToList();
        int[] longStays = [1, 2, 4];
        Assert.True(started.Count == longStays.Length, FootageReplay.Describe(sink.Events));
        for (int i = 0; i < longStays.Length; i++)
        {
            var person = People[longStays[i]];
            Assert.InRange(started[i].PtsSeconds, person.Arrive + 14, person.Leave);
        }
    }
}
