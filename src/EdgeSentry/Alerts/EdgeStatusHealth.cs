namespace EdgeSentry.Alerts;

/// <summary>The health part of the edge status.</summary>
public sealed record EdgeStatusHealth(string Status, IReadOnlyList<string> Reasons);
