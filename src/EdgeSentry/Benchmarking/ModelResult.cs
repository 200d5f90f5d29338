namespace EdgeSentry.Benchmarking;

public sealed record ModelResult
{
    public required string Model { get; init; }

    public required string Family { get; init; }

    public required int InputWidth { get; init; }

    public required int InputHeight { get; init; }

    public required string ChosenLayout { get; init; }

    /// <summary>Every layout tried; the chosen one is also <see cref="Main"/>.</summary>
    public required IReadOnlyList<LayoutResult> Layouts { get; init; }

    public required LayoutResult Main { get; init; }

    public BatchResult? Batch { get; init; }

    /// <summary>The motion policy replayed on every clip (null with --no-motion).</summary>
    public MotionResult? Motion { get; init; }
}
