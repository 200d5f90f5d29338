namespace EdgeSentry.Benchmarking;

/// <summary>N frames in one Run against N single runs on one session of the main layout's thread count.</summary>
public sealed record BatchResult
{
    public required int BatchSize { get; init; }

    public required int Threads { get; init; }

    public double SingleRunsPerSecond { get; init; }

    public double BatchRunsPerSecond { get; init; }

    /// <summary>Frames/s with batched runs (batch runs/s x N).</summary>
    public double BatchFramesPerSecond { get; init; }

    /// <summary>Process CPU per frame with single runs (one thread: about the run's wall time on an idle box).</summary>
    public double SingleCpuMsPerFrame { get; init; }

    public double BatchCpuMsPerFrame { get; init; }

    /// <summary>Single-run CPU ms per frame over batched CPU ms per frame (wall-clock frames/s where /proc is missing).</summary>
    public double Speedup { get; init; }

    /// <summary>False when the model cannot run batches (the verdict says why).</summary>
    public bool Measured => SingleRunsPerSecond > 0;

    public required string Verdict { get; init; }
}
