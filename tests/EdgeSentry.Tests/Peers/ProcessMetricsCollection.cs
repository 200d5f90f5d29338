namespace EdgeSentry.Tests.Peers;

/// <summary>
/// Tests that read exact values off a running edge's /metrics run alone (after the parallel ones). The exporter
/// listens to meters by name, and a MeterListener sees every meter of that name in the process: another test's
/// edge running in parallel (the same edge id, the same client id) adds its series and counts to the exposition.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMetricsCollection
{
    public const string Name = "Process-wide metrics (one edge at a time)";
}
