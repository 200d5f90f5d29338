using EdgeSentry.Alerts;

namespace EdgeSentry.Http;

/// <summary>/healthz: the process's host is running (always "alive" when it answers), with the health value for humans.</summary>
public sealed record HealthzPayload(string Status, EdgeStatusHealth Health);
