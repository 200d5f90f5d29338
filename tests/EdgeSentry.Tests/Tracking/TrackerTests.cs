using EdgeSentry.Detection;
using EdgeSentry.Tracking;

namespace EdgeSentry.Tests.Tracking;

public class TrackerTests
{
    private static readonly TrackerOptions Options = new() { MinHits = 3, LostSeconds = 1.5, MaxTracks = 16 };

    public static TheoryData<string> Trackers => new() { "byte", "iou" };

    private static IObjectTracker Create(string kind, TrackerOptions? options = null) =>
        kind == "byte" ? new ByteTracker(options ?? Options) : new IouTracker(options ?? Options);

    private static global::EdgeSentry.Detection.Detection Box(double x, double y, float score = 0.9f, int classId = 0, double w = 50, double h = 120) =>
        new(classId, score, new BoundingBox((float)x, (float)y, (float)(x + w), (float)(y + h)));

    private static List<TrackedObject> Visible(IObjectTracker tracker) =>
        [.. tracker.Tracks.ToArray().Where(t => t.IsVisible)];

    [Theory]
    [MemberData(nameof(Trackers))]
    public void Update_SteadyObject_ConfirmedOnThirdHitWithOneId(string kind)
    {
        var tracker = Create(kind);

        tracker.Update([Box(100, 100)], 0.0);
        Assert.Empty(Visible(tracker));
        tracker.Update([Box(102, 100)], 0.1);
        Assert.Empty(Visible(tracker));
        for (int i = 2; i < 30; i++)
        {
            tracker.Update([Box(100 + (2 * i), 100)], i * 0.1);
            var visible = Assert.Single(Visible(tracker));
            Assert.Equal(1, visible.Id);
            Assert.Equal(0, visible.DetectionIndex);
        }
    }

    [Theory]
    [MemberData(nameof(Trackers))]
    public void Update_SingleFrameFalsePositive_NeverConfirmed(string kind)
    {
        var tracker = Create(kind);

        for (int i = 0; i < 20; i++)
        {
            tracker.Update(i == 5 ? [Box(100, 100), Box(500, 300)] : [Box(100, 100)], i * 0.1);
        }

        Assert.Equal(2, tracker.TracksStarted);
        Assert.Single(Visible(tracker));
    }

    [Theory]
    [MemberData(nameof(Trackers))]
    public void Update_ObjectGoneLongerThanLostTime_TrackDiesAndIdIsNotReused(string kind)
    {
        var tracker = Create(kind);
        for (int i = 0; i < 10; i++)
        {
            tracker.Update([Box(100, 100)], i * 0.1);
        }

        tracker.Update([], 1.0);
        Assert.Equal(TrackState.Lost, tracker.Tracks.ToArray().Single(t => t.State != TrackState.Free).State);
        tracker.Update([], 2.4);
        Assert.All(tracker.Tracks.ToArray(), t => Assert.Equal(TrackState.Free, t.State));

        for (int i = 0; i < 5; i++)
        {
            tracker.Update([Box(100, 100)], 3 + (i * 0.1));
        }

        Assert.Equal(2, Assert.Single(Visible(tracker)).Id);
    }

    [Theory]
    [MemberData(nameof(Trackers))]
    public void Update_ShortGapWithoutMotion_KeepsTheId(string kind)
    {
        var tracker = Create(kind);
        for (int i = 0; i < 10; i++)
        {
            tracker.Update([Box(100, 100)], i * 0.1);
        }

        for (int i = 10; i < 18; i++)
        {
            tracker.Update([], i * 0.1);
        }

        tracker.Update([Box(100, 100)], 1.8);

        Assert.Equal(1, Assert.Single(Visible(tracker)).Id);
    }

    [Fact]
    public void Update_MovingObjectMissedHalfASecond_ByteTrackerPredictsAndKeepsId_BaselineDoesNot()
    {
        var byteTracker = new ByteTracker(Options);
        var baseline = new IouTracker(Options);

        // 100 px/s to the right, a 50 px wide box; unseen from 3.0 to 3.5 (moves 50 px while hidden).
        foreach (var tracker in new IObjectTracker[] { byteTracker, baseline })
        {
            for (int i = 0; i <= 40; i++)
            {
                double t = i * 0.1;
                tracker.Update(t is > 2.95 and < 3.55 ? [] : [Box(100 + (100 * t), 200)], t);
            }
        }

        Assert.Equal(1, Assert.Single(Visible(byteTracker)).Id);
        Assert.NotEqual(1, Assert.Single(Visible(baseline)).Id);
    }

    [Fact]
    public void Update_LowScoreStretch_ByteTrackerKeepsMatching_BaselineLosesTheId()
    {
        var byteTracker = new ByteTracker(Options);
        var baseline = new IouTracker(Options);

        // Partly occluded from 2.0 to 2.9: the detector still sees it, at score 0.3.
        foreach (var tracker in new IObjectTracker[] { byteTracker, baseline })
        {
            for (int i = 0; i < 40; i++)
            {
                double t = i * 0.1;
                float score = t is > 1.95 and < 2.95 ? 0.3f : 0.9f;
                tracker.Update([Box(100 + (100 * t), 200, score)], t);
                if (tracker == byteTracker && score < 0.5f)
                {
                    Assert.True(tracker.Tracks.ToArray().Single(x => x.State != TrackState.Free).IsMatched);
                }
            }
        }

        Assert.Equal(1, Assert.Single(Visible(byteTracker)).Id);
        Assert.NotEqual(1, Assert.Single(Visible(baseline)).Id);
    }

    [Theory]
    [MemberData(nameof(Trackers))]
    public void Update_OverlappingObjectsOfDifferentClasses_NeverShareATrack(string kind)
    {
        var tracker = Create(kind);

        for (int i = 0; i < 10; i++)
        {
            tracker.Update([Box(100, 100, classId: 0), Box(102, 101, classId: 2)], i * 0.1);
        }

        var visible = Visible(tracker);
        Assert.Equal(2, visible.Count);
        Assert.Equal([0, 2], visible.Select(v => v.ClassId).Order());
    }

    [Fact]
    public void Update_LabelFlipsOnTrackedObject_ByteTrackerContinuesTheTrackWithTheNewLabel()
    {
        var tracker = new ByteTracker(Options);

        for (int i = 0; i < 20; i++)
        {
            // A car seen from above: "cell phone" (class 67) for a while, then "bus" (class 5), same box, same motion.
            tracker.Update([Box(100 + (4 * i), 100, classId: i < 10 ? 67 : 5)], i * 0.1);
        }

        var track = Assert.Single(Visible(tracker));
        Assert.Equal(1, track.Id);
        Assert.Equal(5, track.ClassId);
        Assert.Equal(1, tracker.TracksStarted);
    }

    [Fact]
    public void Update_SecondLabelOnConfirmedTrack_ByteTrackerStartsNoSecondTrack()
    {
        var tracker = new ByteTracker(Options);

        for (int i = 0; i < 20; i++)
        {
            // From frame 10 per-class NMS keeps a second, "bus" box of the same car beside its "cell phone" box.
            tracker.Update(i < 10 ? [Box(100 + (4 * i), 100, classId: 67)] : [Box(100 + (4 * i), 100, classId: 67), Box(101 + (4 * i), 99, 0.8f, classId: 5)], i * 0.1);
        }

        Assert.Equal(1, tracker.TracksStarted);
        Assert.Equal(67, Assert.Single(Visible(tracker)).ClassId);
    }

    [Fact]
    public void Update_CrossClassMatchingOff_LabelFlipStartsANewTrack()
    {
        var tracker = new ByteTracker(Options with { CrossClassMatchIou = 1.1f });

        for (int i = 0; i < 20; i++)
        {
            tracker.Update([Box(100 + (4 * i), 100, classId: i < 10 ? 67 : 5)], i * 0.1);
        }

        Assert.Equal(2, tracker.TracksStarted);
        Assert.Equal(2, Assert.Single(Visible(tracker)).Id);
    }

    [Fact]
    public void Update_OtherClassBesideTrackBelowTheOverlap_StartsItsOwnTrack()
    {
        var tracker = new ByteTracker(Options);

        for (int i = 0; i < 20; i++)
        {
            // A bicycle under its rider: overlapping, but far below CrossClassMatchIou.
            tracker.Update(i < 10 ? [Box(100, 100)] : [Box(100, 100), Box(90, 160, classId: 1, w: 70, h: 70)], i * 0.1);
        }

        Assert.Equal(2, tracker.TracksStarted);
        Assert.Equal([0, 1], Visible(tracker).Select(v => v.ClassId).Order());
    }

    [Theory]
    [MemberData(nameof(Trackers))]
    public void Update_MoreObjectsThanSlots_BoundedAndCounted(string kind)
    {
        var tracker = Create(kind, Options with { MaxTracks = 5 });
        var many = Enumerable.Range(0, 8).Select(i => Box(i * 100, 100)).ToArray();

        for (int i = 0; i < 5; i++)
        {
            tracker.Update(many, i * 0.1);
        }

        Assert.Equal(5, tracker.Tracks.Length);
        Assert.Equal(5, Visible(tracker).Count);
        Assert.Equal(15, tracker.BirthsDropped);
    }

    [Theory]
    [MemberData(nameof(Trackers))]
    public void SetPinned_FreedSlot_IsNotGivenToANewTrack(string kind)
    {
        var tracker = Create(kind, Options with { MaxTracks = 1 });
        for (int i = 0; i < 5; i++)
        {
            tracker.Update([Box(100, 100)], i * 0.1);
        }

        tracker.SetPinned(0, true);
        tracker.Update([], 3.0);
        tracker.Update([Box(500, 100)], 3.1);
        Assert.Equal(TrackState.Free, tracker.Tracks[0].State);
        Assert.Equal(1, tracker.BirthsDropped);

        tracker.SetPinned(0, false);
        tracker.Update([Box(500, 100)], 3.2);
        Assert.Equal(2, tracker.Tracks[0].Id);
    }

    [Theory]
    [MemberData(nameof(Trackers))]
    public void Update_FiftyObjectsSteadyState_AllocatesNothing(string kind)
    {
        var tracker = Create(kind, Options with { MaxTracks = 64 });
        var frame = Enumerable.Range(0, 50).Select(i => Box((i % 10) * 120, (i / 10) * 150, 0.4f + ((i % 3) * 0.25f))).ToArray();
        for (int i = 0; i < 10; i++)
        {
            tracker.Update(frame, i * 0.1);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 10; i < 110; i++)
        {
            tracker.Update(frame, i * 0.1);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void KalmanBox_ConstantVelocity_PredictsTheNextPosition()
    {
        var filter = ByteTracker.KalmanBox.Start(new BoundingBox(0, 0, 50, 100));
        for (int i = 1; i <= 20; i++)
        {
            filter.Predict(1);
            filter.Correct(new BoundingBox(4 * i, 0, 50 + (4 * i), 100));
        }

        filter.Predict(5);
        var predicted = filter.ToBox();

        Assert.Equal(100, predicted.X1, 1.5);
        Assert.Equal(100, predicted.Height, 1.0);
    }
}
