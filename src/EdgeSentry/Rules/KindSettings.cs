namespace EdgeSentry.Rules;

/// <summary>The kind-specific settings of a rule, as validation needs to know them (see <see cref="RuleEvaluators.SettingsOf"/>).</summary>
[Flags]
internal enum KindSettings
{
    None = 0,
    /// <summary>dwellSeconds is required.</summary>
    Dwell = 1,
    /// <summary>Uses a line (required), not a zone.</summary>
    Line = 2,
    /// <summary>minCount (required) and severityCounts.</summary>
    CrowdCounts = 4,
    /// <summary>radius.</summary>
    Radius = 8,
    /// <summary>direction (here or on its zone) and minDistance.</summary>
    Direction = 16,
}
