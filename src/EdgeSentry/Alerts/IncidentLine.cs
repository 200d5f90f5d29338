namespace EdgeSentry.Alerts;

/// <summary>Which line was crossed, which way counts ("both" or "direction" with <see cref="Direction"/>) and how many per label.</summary>
public sealed record IncidentLine
{
    public required string LineId { get; init; }
    public required string Counted { get; init; }
    public IReadOnlyList<double>? Direction { get; init; }
    public required IReadOnlyDictionary<string, int> ClassCounts { get; init; }
}
