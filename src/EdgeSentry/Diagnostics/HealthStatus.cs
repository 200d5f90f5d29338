namespace EdgeSentry.Diagnostics;

/// <summary>The edge's one health value. Ordered: a larger value is worse, so the worst condition wins.</summary>
public enum HealthStatus
{
    /// <summary>Everything the edge is configured to do, it does.</summary>
    Ok = 0,

    /// <summary>Working, but with something missing (a camera reconnecting, the broker away while alerts wait on disk).</summary>
    Degraded = 1,

    /// <summary>Not doing its job (no detector, start-up failed).</summary>
    Failing = 2,
}
