using EdgeSentry.Tests.Peers;
using EdgeSentry.Tests.Scenarios;
using EdgeSentry.Tracking;
using Xunit.Abstractions;

namespace EdgeSentry.Tests.Tracking;

/// <summary>
/// Issue 5, acceptance 3: ByteTracker against the plain IoU baseline on real footage, both fed the same
/// yolox_nano detections (score threshold 0.1, so ByteTrack's low-score pass has material) of
/// <c>vtest_30s_h264.mp4</c> (768x576, 10 fps, 300 frames, pedestrians crossing a campus square).
/// </summary>
/// <remarks>
/// There is no ground truth for this clip, so the reference is <see cref="TrackerComparison.LinkUnambiguous"/>:
/// detections of score >= 0.5 chained only where the frame-to-frame link is unambiguous. That is the
/// baseline's own rule (greedy IoU on confident boxes) made stricter, so the reference breaks exactly
/// where the baseline breaks: it sees none of the baseline's fragmentations and cannot reward ByteTrack
/// for bridging gaps. Against it both trackers score 0 fragmentations; the baseline 0 id switches and
/// ByteTrack 1 (watched: at frames 162-163 two men cross near (500, 300); their two boxes merge into one
/// whose feet are the front man's, and the back man's track, predicted inside the merged box, takes it).
/// What the reference cannot show, the run itself does: on the same people, the baseline starts more
/// identities, keeps them for a shorter time and misses more confident boxes.
/// </remarks>
[Collection(FootageCollection.Name)]
public class TrackerQualityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task CompareWithBaseline_Vtest_ByteTrackerSplitsFewerIdentitiesAtMostOneMergeSwitch()
    {
        var clip = await FootageDetections.OfAsync(SharedPaths.TestFrame("vtest_30s_h264.mp4"));

        var result = TrackerComparison.CompareWithBaseline(clip.Frames, new TrackerOptions());
        output.WriteLine($"{clip.Clip}, {clip.Frames.Count} frames, {clip.Frames.Sum(f => f.Detections.Length)} detections ({FootageDetections.Model}, score >= {FootageDetections.DetectorScoreThreshold})");
        output.WriteLine(result.ToMarkdown());
        output.WriteLine($"ByteTrack scored against the baseline's output: {result.ByteTrackVsBaseline.IdSwitches} id switches, {result.ByteTrackVsBaseline.Fragmentations} fragmentations");

        Assert.Equal(300, clip.Frames.Count);
        var byteTrack = result.ByteTrackVsReference;
        var baseline = result.BaselineVsReference;
        string table = Environment.NewLine + result.ToMarkdown();
        Assert.True(byteTrack.Matches > 0 && baseline.Matches > 0, table);
        // The one merged-box switch described above, and nothing more.
        Assert.True(byteTrack.IdSwitches + byteTrack.Fragmentations <= 1, table);
        Assert.True(result.ByteTrack.DistinctConfirmedTracks < result.Baseline.DistinctConfirmedTracks, table);
        Assert.True(result.ByteTrack.MeanConfirmedTrackSeconds > result.Baseline.MeanConfirmedTrackSeconds, table);
        Assert.True(byteTrack.Misses < baseline.Misses, table);
    }
}
