namespace EdgeSentry.Pipeline;

/// <summary>Restart pacing for <see cref="Supervisor"/>.</summary>
public sealed record SupervisorOptions
{
    /// <summary>First restart delay (before jitter).</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest restart delay (before jitter).</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A run at least this long counts as healthy: the next failure starts the backoff again from the first step.</summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(60);
}
