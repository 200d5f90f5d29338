namespace EdgeSentry.Operator;

/// <summary>One class of one camera in the detector view.</summary>
public sealed record DetectorClassView(
    int ClassId, string Label, int Total, IReadOnlyList<int> Histogram,
    double TrackerLowScore, int IgnoredByTracker, double TrackerNewTrackScore, int CannotStartTrack,
    IReadOnlyList<RuleThresholdView> Rules, double? SuggestedThreshold);
