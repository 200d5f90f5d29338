namespace EdgeSentry.Operator;

/// <summary>
/// A camera's detection scores of the last few minutes, per class, in 0.01-wide bins: one bucket per wall-clock
/// minute in a ring, so the window slides without keeping individual detections. Bounded: minutes x classes seen x
/// 100 counters. The camera's worker adds (once per frame, a short uncontended lock); the page reads a sum.
/// </summary>
public sealed class ScoreStatistics
{
    public const int Bins = 100;

    private readonly Lock _gate = new();
    private readonly long[] _minuteOf;
    private readonly Dictionary<int, int[]>[] _buckets;

    public ScoreStatistics(int minutes = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minutes, 1);
        Minutes = minutes;
        _minuteOf = new long[minutes];
        Array.Fill(_minuteOf, long.MinValue);
        _buckets = new Dictionary<int, int[]>[minutes];
        for (int i = 0; i < minutes; i++)
        {
            _buckets[i] = [];
        }
    }

    public int Minutes { get; }

    public static int BinOf(float score) => Math.Clamp((int)(score * Bins), 0, Bins - 1);

    public void Add(ReadOnlySpan<EdgeSentry.Detection.Detection> detections, DateTimeOffset at)
    {
        if (detections.IsEmpty)
        {
            return;
        }

        long minute = at.ToUnixTimeSeconds() / 60;
        int slot = (int)(((minute % Minutes) + Minutes) % Minutes);
        lock (_gate)
        {
            var bucket = _buckets[slot];
            if (_minuteOf[slot] != minute)
            {
                // A new minute reuses the slot's counters (cleared, not reallocated).
                foreach (var counts in bucket.Values)
                {
                    Array.Clear(counts);
                }

                _minuteOf[slot] = minute;
            }

            foreach (var d in detections)
            {
                if (!bucket.TryGetValue(d.ClassId, out var counts))
                {
                    counts = new int[Bins];
                    bucket[d.ClassId] = counts;
                }

                counts[BinOf(d.Score)]++;
            }
        }
    }

    /// <summary>Per class, the counts of the minutes within the window ending at <paramref name="now"/>.</summary>
    public SortedDictionary<int, int[]> Window(DateTimeOffset now)
    {
        long minute = now.ToUnixTimeSeconds() / 60;
        var sum = new SortedDictionary<int, int[]>();
        lock (_gate)
        {
            for (int i = 0; i < Minutes; i++)
            {
                if (_minuteOf[i] == long.MinValue || minute - _minuteOf[i] >= Minutes || _minuteOf[i] > minute)
                {
                    continue;
                }

                foreach (var (classId, counts) in _buckets[i])
                {
                    if (!sum.TryGetValue(classId, out var total))
                    {
                        total = new int[Bins];
                        sum[classId] = total;
                    }

                    for (int b = 0; b < Bins; b++)
                    {
                        total[b] += counts[b];
                    }
                }
            }
        }

        return sum;
    }

    /// <summary>Detections scoring below <paramref name="threshold"/> (to the 0.01 bin: bins wholly below it).</summary>
    public static int Below(int[] counts, double threshold)
    {
        int edge = Math.Clamp((int)Math.Round(threshold * Bins), 0, Bins);
        int n = 0;
        for (int b = 0; b < edge; b++)
        {
            n += counts[b];
        }

        return n;
    }

    /// <summary>
    /// The suggested threshold: the valley between the low-score (clutter) and high-score (objects) modes, found as
    /// Otsu's threshold over the histogram (the cut that maximises the between-class variance). Null below
    /// <paramref name="minimumCount"/> detections, where a histogram says too little.
    /// </summary>
    public static double? SuggestThreshold(int[] counts, int minimumCount = 50)
    {
        long total = 0;
        double sumAll = 0;
        for (int b = 0; b < counts.Length; b++)
        {
            total += counts[b];
            sumAll += counts[b] * (b + 0.5);
        }

        if (total < minimumCount)
        {
            return null;
        }

        long below = 0;
        double sumBelow = 0;
        double best = -1;
        int bestCut = 0;
        for (int cut = 1; cut < counts.Length; cut++)
        {
            below += counts[cut - 1];
            sumBelow += counts[cut - 1] * (cut - 0.5);
            long above = total - below;
            if (below == 0 || above == 0)
            {
                continue;
            }

            double meanBelow = sumBelow / below;
            double meanAbove = (sumAll - sumBelow) / above;
            double between = (double)below * above * (meanBelow - meanAbove) * (meanBelow - meanAbove);
            if (between > best)
            {
                best = between;
                bestCut = cut;
            }
        }

        return best < 0 ? null : bestCut / (double)counts.Length;
    }
}
