using EdgeSentry.Detection;
using EdgeSentry.Tests.Peers;
using EdgeSentry.Tracking;

namespace EdgeSentry.Tests.Tracking;

public class TrackingEvaluatorTests
{
    private static TrackBox B(int id, float x, int classId = 0) => new(id, classId, new BoundingBox(x, 0, x + 50, 100));

    [Fact]
    public void AddFrame_PerfectTracker_NoSwitchesFullMota()
    {
        var e = new TrackingEvaluator();
        for (int i = 0; i < 10; i++)
        {
            e.AddFrame([B(1, i), B(2, 300 + i)], [B(7, i), B(8, 300 + i)]);
        }

        var s = e.Scores;
        Assert.Equal(20, s.Matches);
        Assert.Equal(0, s.IdSwitches);
        Assert.Equal(0, s.Fragmentations);
        Assert.Equal(1.0, s.Mota, 9);
        Assert.Equal(2, s.HypothesisTracks);
    }

    [Fact]
    public void AddFrame_TrackerSwapsIds_CountsASwitchPerObject()
    {
        var e = new TrackingEvaluator();
        for (int i = 0; i < 10; i++)
        {
            bool swapped = i >= 5;
            e.AddFrame([B(1, 0), B(2, 300)], [B(swapped ? 8 : 7, 0), B(swapped ? 7 : 8, 300)]);
        }

        Assert.Equal(2, e.Scores.IdSwitches);
    }

    [Fact]
    public void AddFrame_TrackLostAndRebornWithNewId_OneSwitchOneFragmentation()
    {
        var e = new TrackingEvaluator();
        for (int i = 0; i < 10; i++)
        {
            TrackBox[] hyp = i switch
            {
                < 4 => [B(7, i * 10)],
                < 6 => [],
                _ => [B(9, i * 10)],
            };
            e.AddFrame([B(1, i * 10)], hyp);
        }

        var s = e.Scores;
        Assert.Equal(1, s.IdSwitches);
        Assert.Equal(1, s.Fragmentations);
        Assert.Equal(2, s.Misses);
    }

    [Fact]
    public void AddFrame_WrongClassOrFarAway_IsAFalsePositiveAndAMiss()
    {
        var e = new TrackingEvaluator();

        e.AddFrame([B(1, 0)], [B(7, 0, classId: 2), B(8, 500)]);

        Assert.Equal(1, e.Scores.Misses);
        Assert.Equal(2, e.Scores.FalsePositives);
    }

    [Fact]
    public void LinkUnambiguous_ChainsBreakAtGapsAndCrossings()
    {
        static global::EdgeSentry.Detection.Detection D(float x) => new(0, 0.9f, new BoundingBox(x, 0, x + 50, 100));
        var frames = new List<RecordedFrame>
        {
            new(0.0, [D(0), D(300)]),
            new(0.1, [D(2), D(302)]),
            new(0.2, [D(4)]),
            new(0.3, [D(6), D(8)]),  // two candidates for one chain: ambiguous, both start new chains
        };

        var linked = TrackerComparison.LinkUnambiguous(frames);

        Assert.Equal(linked[0][0].Id, linked[1][0].Id);
        Assert.Equal(linked[0][1].Id, linked[1][1].Id);
        Assert.Equal(linked[1][0].Id, linked[2][0].Id);
        Assert.DoesNotContain(linked[3], b => b.Id == linked[2][0].Id);
    }

    [Fact]
    public void Replay_ByteAgainstBaseline_SameDetectionsGiveComparableRuns()
    {
        // Two people walking towards each other, crossing at t = 2 with one occluding the other.
        var frames = new List<RecordedFrame>();
        for (int i = 0; i < 40; i++)
        {
            double t = i * 0.1;
            var a = new global::EdgeSentry.Detection.Detection(0, 0.9f, new BoundingBox((float)(100 + (100 * t)), 100, (float)(150 + (100 * t)), 220));
            var b = new global::EdgeSentry.Detection.Detection(0, t is > 1.8 and < 2.3 ? 0.3f : 0.85f, new BoundingBox((float)(500 - (100 * t)), 102, (float)(550 - (100 * t)), 222));
            frames.Add(new RecordedFrame(t, [a, b]));
        }

        var options = new TrackerOptions();
        var byteRun = TrackerComparison.Replay(new ByteTracker(options), frames);
        var baseRun = TrackerComparison.Replay(new IouTracker(options), frames);
        var reference = TrackerComparison.LinkUnambiguous(frames, minScore: 0.1f);

        var byteScores = TrackerComparison.Score(reference, byteRun.Frames);
        var baseScores = TrackerComparison.Score(reference, baseRun.Frames);

        Assert.Equal(40, byteRun.Frames.Count);
        Assert.Equal(2, byteRun.DistinctConfirmedTracks);
        Assert.True(baseRun.DistinctConfirmedTracks > 2, $"baseline kept {baseRun.DistinctConfirmedTracks} tracks");
        Assert.True(byteScores.Misses < baseScores.Misses, $"byte misses {byteScores.Misses}, baseline {baseScores.Misses}");
    }
}

public class DetectionJsonLinesTests
{
    [Fact]
    public void Read_DetectJsonOutput_FeedsTheTrackerComparison()
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < 30; i++)
        {
            double x = 100 + (i * 4);
            text.Append(System.Globalization.CultureInfo.InvariantCulture,
                $$"""{"frame":{{i}},"ptsSeconds":{{i * 0.1}},"detections":[{"label":"person","classId":0,"score":0.8,"box":[{{x}},50,{{x + 40}},150]}]}""")
                .Append('\n');
        }

        var frames = DetectionJsonLines.Read(new StringReader(text.ToString()), "test.jsonl");
        var result = TrackerComparison.CompareWithBaseline(frames, new TrackerOptions());

        Assert.Equal(30, frames.Count);
        Assert.Equal(2.9, frames[^1].PtsSeconds, 9);
        Assert.Equal(0, result.ByteTrackVsReference.IdSwitches);
        Assert.Equal(1, result.ByteTrack.DistinctConfirmedTracks);
        Assert.Equal(0, result.ByteTrackVsBaseline.IdSwitches);
        Assert.Contains("| ByteTrack-style | 0 | 0 |", result.ToMarkdown(), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BrokenLine_NamesSourceAndLine()
    {
        var e = Assert.Throws<InvalidDataException>(() =>
            DetectionJsonLines.Read(new StringReader("{\"ptsSeconds\":0,\"detections\":[]}\n{\"frame\":1}\n"), "vtest.jsonl"));

        Assert.StartsWith("vtest.jsonl:2:", e.Message, StringComparison.Ordinal);
    }
}
