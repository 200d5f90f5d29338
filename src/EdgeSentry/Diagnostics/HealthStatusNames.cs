namespace EdgeSentry.Diagnostics;

public static class HealthStatusNames
{
    /// <summary>The words on the status topic and over HTTP; part of the contract.</summary>
    public static string ToWire(this HealthStatus status) => status switch
    {
        HealthStatus.Ok => "ok",
        HealthStatus.Degraded => "degraded",
        HealthStatus.Failing => "failing",
        _ => "unknown",
    };
}
