namespace EdgeSentry.Diagnostics;

/// <summary>
/// A snapshot of the edge's health: the worst condition's status, and every component that is not ok
/// (sorted by component, so equal states compare equal and a change is a real change).
/// </summary>
public sealed record EdgeHealthReport(HealthStatus Status, IReadOnlyList<HealthCondition> Problems)
{
    public static EdgeHealthReport Healthy { get; } = new(HealthStatus.Ok, []);

    /// <summary>"component: reason" for every problem, for status payloads and logs.</summary>
    public IReadOnlyList<string> Reasons => [.. Problems.Select(p => p.Reason is null ? $"{p.Component}: {p.Status.ToWire()}" : $"{p.Component}: {p.Reason}")];

    public bool Equals(EdgeHealthReport? other) =>
        other is not null && Status == other.Status && Problems.SequenceEqual(other.Problems);

    public override int GetHashCode() => HashCode.Combine(Status, Problems.Count);
}
