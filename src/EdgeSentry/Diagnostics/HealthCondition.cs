namespace EdgeSentry.Diagnostics;

/// <summary>One component's condition as it last reported it, e.g. ("camera/gate-01", Degraded, "reconnecting: connection refused").</summary>
public sealed record HealthCondition(string Component, HealthStatus Status, string? Reason);
