using EdgeSentry.Rules;

namespace EdgeSentry.Operator;

/// <summary>
/// The detector view of a camera: per class, the score histogram of the window and what the current thresholds
/// do to it: below the tracker's low score a detection is ignored outright; below its new-track score it can only
/// extend a track, never start one; below a rule's minScore (per class where the rule sets one) that rule ignores it.
/// </summary>
public static class DetectorViews
{
    public const int DisplayBins = 20;
    public const string SuggestionRule =
        "Otsu's threshold over the window's 0.01-wide score bins: the cut that best separates the low-score (clutter) mode from the high-score (object) mode, i.e. the valley between them; none below 50 detections";

    public static DetectorView Build(CameraTap tap, DateTimeOffset now)
    {
        var analytics = tap.Camera.Analytics;
        var tracker = tap.Tracker;
        var classes = new List<DetectorClassView>();
        foreach (var (classId, counts) in tap.Scores.Window(now))
        {
            string label = tap.LabelOf(classId);
            var shown = new int[DisplayBins];
            for (int b = 0; b < counts.Length; b++)
            {
                shown[b * DisplayBins / counts.Length] += counts[b];
            }

            var rules = new List<RuleThresholdView>();
            foreach (var rule in analytics.Rules.Where(r => r.Enabled && (r.Classes.Count == 0 || r.Classes.Contains(label, StringComparer.Ordinal))))
            {
                double min = rule.MinScores is { } per && per.TryGetValue(label, out double m) ? m : rule.MinScore;
                rules.Add(new RuleThresholdView(rule.Id, min, ScoreStatistics.Below(counts, min)));
            }

            classes.Add(new DetectorClassView(
                classId, label, counts.Sum(), shown,
                Math.Round(tracker.LowScore, 3), ScoreStatistics.Below(counts, tracker.LowScore),
                Math.Round(tracker.NewTrackScore, 3), ScoreStatistics.Below(counts, tracker.NewTrackScore),
                rules, ScoreStatistics.SuggestThreshold(counts)));
        }

        return new DetectorView(tap.Camera.Id, tap.Scores.Minutes, Math.Round(tap.DetectorThreshold, 3), DisplayBins, SuggestionRule, classes);
    }
}
