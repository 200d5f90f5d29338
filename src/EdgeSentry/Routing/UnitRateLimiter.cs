namespace EdgeSentry.Routing;

/// <summary>
/// A token bucket per unit on a <see cref="TimeProvider"/>'s monotonic timestamp: a unit may send
/// <see cref="Burst"/> messages at once and <see cref="PerSecond"/> a second after that. A broken or hostile phone
/// that floods its topics costs the router one dictionary look-up per message, not a parse; drops are counted.
/// </summary>
public sealed class UnitRateLimiter
{
    private readonly TimeProvider _time;
    private readonly Dictionary<string, (double Tokens, long Stamp)> _buckets = new(StringComparer.Ordinal);
    private long _dropped;

    public UnitRateLimiter(double perSecond, int burst, TimeProvider? time = null)
    {
        if (!(perSecond > 0) || burst < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(perSecond), "rate must be positive and burst at least 1");
        }

        PerSecond = perSecond;
        Burst = burst;
        _time = time ?? TimeProvider.System;
    }

    public double PerSecond { get; }
    public int Burst { get; }

    /// <summary>Messages refused so far, all units together.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Takes one token of <paramref name="unitId"/>'s bucket; false (and counted) when it is empty.</summary>
    public bool TryTake(string unitId)
    {
        lock (_buckets)
        {
            long now = _time.GetTimestamp();
            double tokens = Burst;
            if (_buckets.TryGetValue(unitId, out var bucket))
            {
                // Monotonic elapsed time: a wall-clock jump neither refills nor drains a bucket.
                double elapsed = _time.GetElapsedTime(bucket.Stamp, now).TotalSeconds;
                tokens = Math.Min(Burst, bucket.Tokens + (elapsed * PerSecond));
            }

            if (tokens < 1)
            {
                _buckets[unitId] = (tokens, now);
                Interlocked.Increment(ref _dropped);
                return false;
            }

            _buckets[unitId] = (tokens - 1, now);
            return true;
        }
    }
}
