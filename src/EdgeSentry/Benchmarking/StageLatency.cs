namespace EdgeSentry.Benchmarking;

public sealed record StageLatency(string Stage, double P50Ms, double P95Ms, double P99Ms, double MeanMs, long Samples);
