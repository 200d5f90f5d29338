namespace EdgeSentry.Motion;

/// <summary>Tuning of <see cref="MotionDetector"/>; see <see cref="DetectionPolicySection"/> for the configuration keys.</summary>
public sealed record MotionOptions
{
    /// <summary>Cells on the picture's longer side (the grid is square-celled, at most 160 x 160 cells).</summary>
    public int GridSize { get; init; } = 96;

    /// <summary>A cell has changed when it differs from the background by more than this many grey levels (0-255).</summary>
    public double PixelThreshold { get; init; } = 10;

    /// <summary>Time constant of the background's running average, seconds (the rate is 1 - e^(-dt/this) per frame).</summary>
    public double BackgroundSeconds { get; init; } = 4;
}
