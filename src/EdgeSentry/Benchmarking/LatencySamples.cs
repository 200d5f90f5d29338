namespace EdgeSentry.Benchmarking;

/// <summary>
/// Per-frame durations of one stage, appended by one worker thread into a preallocated array (it grows by
/// doubling only when a run has more frames than expected, which the bench sizes from the decode-only count).
/// </summary>
internal sealed class LatencySamples(int capacity)
{
    private double[] _values = new double[Math.Max(16, capacity)];

    public int Count { get; private set; }

    public void Add(double milliseconds)
    {
        if (Count == _values.Length)
        {
            Array.Resize(ref _values, _values.Length * 2);
        }

        _values[Count++] = milliseconds;
    }

    public ReadOnlySpan<double> Values => _values.AsSpan(0, Count);

    /// <summary>Nearest-rank percentiles and the mean over all workers' samples of one stage.</summary>
    public static StageLatency Summarise(string stage, IEnumerable<LatencySamples> parts)
    {
        var all = new List<double>();
        foreach (var p in parts)
        {
            all.AddRange(p.Values);
        }

        if (all.Count == 0)
        {
            return new StageLatency(stage, 0, 0, 0, 0, 0);
        }

        all.Sort();
        return new StageLatency(stage, Rank(all, 0.50), Rank(all, 0.95), Rank(all, 0.99), Math.Round(all.Average(), 3), all.Count);
    }

    private static double Rank(List<double> sorted, double p)
    {
        int index = Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1);
        return Math.Round(sorted[index], 3);
    }
}
