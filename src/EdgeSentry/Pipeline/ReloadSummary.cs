namespace EdgeSentry.Pipeline;

/// <summary>What a configuration reload changed, and what it left for a restart.</summary>
public sealed record ReloadSummary(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> Changed, IReadOnlyList<string> NeedRestart);
