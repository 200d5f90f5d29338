namespace EdgeSentry.Diagnostics;

/// <summary>
/// The last N latency samples of one stream, for percentiles in stats messages and tests. Recording is
/// allocation-free and cheap (one slot write under a lock); percentiles sort a preallocated copy on demand.
/// </summary>
public sealed class LatencyWindow
{
    private readonly double[] _samples;
    private readonly double[] _scratch;
    private readonly Lock _gate = new();
    private int _next;
    private int _count;
    private long _total;

    public LatencyWindow(int capacity = 512)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _samples = new double[capacity];
        _scratch = new double[capacity];
    }

    public long Total => Interlocked.Read(ref _total);

    public void Record(double value)
    {
        lock (_gate)
        {
            _samples[_next] = value;
            _next = (_next + 1) % _samples.Length;
            _count = Math.Min(_count + 1, _samples.Length);
            _total++;
        }
    }

    /// <summary>The p-th percentile (0-100, nearest rank) of the samples held, or NaN when there are none.</summary>
    public double Percentile(double p)
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                return double.NaN;
            }

            var span = _scratch.AsSpan(0, _count);
            _samples.AsSpan(0, _count).CopyTo(span);
            span.Sort();
            int rank = (int)Math.Ceiling(p / 100.0 * _count) - 1;
            return span[Math.Clamp(rank, 0, _count - 1)];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _count = 0;
            _next = 0;
        }
    }
}
