namespace EdgeSentry.Detection;

/// <summary>
/// The detector-wide acceptance rules shared by every family decoder: score thresholds (one per class, from
/// <see cref="DetectorOptions.ScoreThreshold"/> and <see cref="DetectorOptions.ClassScoreThresholds"/>) and box
/// size limits in source pixels. Built once at start-up; its checks allocate nothing.
/// </summary>
internal sealed class DetectionFilter
{
    private readonly float[] _classThresholds;
    private readonly float _minSide;
    private readonly float _maxSide;

    private DetectionFilter(float[] classThresholds, float minSide, float maxSide)
    {
        _classThresholds = classThresholds;
        _minSide = minSide;
        _maxSide = maxSide;
        Lowest = classThresholds.Min();
    }

    /// <summary>The lowest threshold of any class: a score below it is rejected without a class lookup.</summary>
    public float Lowest { get; }

    public static DetectionFilter Create(DetectorOptions options, IReadOnlyList<string> labels, string labelsPath)
    {
        var thresholds = Enumerable.Repeat(options.ScoreThreshold, labels.Count).ToArray();
        foreach (var (label, threshold) in options.ClassScoreThresholds ?? new Dictionary<string, float>())
        {
            int classId = -1;
            for (int i = 0; i < labels.Count; i++)
            {
                if (labels[i] == label)
                {
                    classId = i;
                    break;
                }
            }

            if (classId < 0)
            {
                throw new ArgumentException($"ClassScoreThresholds names '{label}', which is not a class in {labelsPath}", nameof(options));
            }

            if (threshold is not (> 0f and <= 1f))
            {
                throw new ArgumentOutOfRangeException(nameof(options), $"ClassScoreThresholds['{label}'] = {threshold} must be in (0, 1]");
            }

            thresholds[classId] = threshold;
        }

        if (options.MinBoxSide < 0f || options.MaxBoxSide < options.MinBoxSide)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"box side limits [{options.MinBoxSide}, {options.MaxBoxSide}] are not a range of pixels");
        }

        return new DetectionFilter(thresholds, options.MinBoxSide, options.MaxBoxSide);
    }

    public bool Passes(int classId, float score) => score >= _classThresholds[classId];

    /// <summary>
    /// Clips the kept candidates (best first) to the frame, drops boxes outside the size limits and writes up to
    /// <c>results.Length</c> of them; returns how many.
    /// </summary>
    public int Emit(ReadOnlySpan<Detection> kept, in InputGeometry geometry, Span<Detection> results)
    {
        int n = 0;
        for (int i = 0; i < kept.Length && n < results.Length; i++)
        {
            var box = geometry.Clip(kept[i].Box);
            float shorter = MathF.Min(box.Width, box.Height), longer = MathF.Max(box.Width, box.Height);
            if (shorter < _minSide || longer > _maxSide)
            {
                continue;
            }

            results[n++] = kept[i] with { Box = box };
        }

        return n;
    }
}
