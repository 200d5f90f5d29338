using EdgeSentry.Detection;

namespace EdgeSentry.Tracking;

public sealed record TrackerComparisonResult(
    TrackerRun ByteTrack,
    TrackerRun Baseline,
    TrackingScores ByteTrackVsReference,
    TrackingScores BaselineVsReference,
    TrackingScores ByteTrackVsBaseline)
{
    /// <summary>A Markdown table of the figures that matter for the note.</summary>
    public string ToMarkdown() => string.Join('\n',
        "| tracker | id switches | fragmentations | misses | false positives | MOTA | confirmed tracks | tracks started | mean track s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        Row("ByteTrack-style", ByteTrackVsReference, ByteTrack),
        Row("IoU baseline", BaselineVsReference, Baseline));

    private static string Row(string name, TrackingScores s, TrackerRun run) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"| {name} | {s.IdSwitches} | {s.Fragmentations} | {s.Misses} | {s.FalsePositives} | {s.Mota:F3} | {run.DistinctConfirmedTracks} | {run.TracksStarted} | {run.MeanConfirmedTrackSeconds:F2} |");
}
