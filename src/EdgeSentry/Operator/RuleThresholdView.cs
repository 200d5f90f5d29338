namespace EdgeSentry.Operator;

/// <summary>A rule's minimum score for a class and how many of the window's detections it ignores.</summary>
public sealed record RuleThresholdView(string RuleId, double MinScore, int Ignored);
