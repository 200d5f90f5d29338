using System.Globalization;

namespace EdgeSentry.Benchmarking;

/// <summary>K inference sessions side by side, each with T intra-op threads ("KxT").</summary>
public readonly record struct BenchLayout(int Workers, int Threads)
{
    /// <summary>
    /// The documented default for every model on this 2-core box: two 1-thread sessions. STACK.md (one
    /// 2-thread yolox_nano session ≈ 110 runs/s, two 1-thread sessions ≈ 200) and the bench's own
    /// <c>--layouts auto</c> trials agree: intra-op threading gains little on these small models, while two
    /// independent sessions use both cores. Override per run with --workers/--threads or --layouts.
    /// </summary>
    public static BenchLayout Default { get; } = new(2, 1);

    /// <summary>What <c>--layouts auto</c> tries.</summary>
    public static IReadOnlyList<BenchLayout> Auto { get; } = [new(1, 1), new(1, 2), new(2, 1)];

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Workers}x{Threads}");

    /// <summary>Parses "KxT" (e.g. "2x1"); the error names the text and the expected form.</summary>
    public static BenchLayout Parse(string text)
    {
        var parts = text.Trim().Split('x', 'X');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int k)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int t)
            || k is < 1 or > 64 || t is < 1 or > 64)
        {
            throw new ArgumentException($"layout '{text}' is not KxT with K sessions and T threads each, both 1..64 (e.g. 2x1)");
        }

        return new BenchLayout(k, t);
    }
}
