using System.Globalization;

namespace EdgeSentry.Motion;

/// <summary>
/// A camera's "detection" block: which of its frames go to the detector. The default, "every-frame", is the
/// behaviour without the block. Validated with the rest of the configuration at start-up.
/// </summary>
public sealed class DetectionPolicySection
{
    public static readonly IReadOnlyList<string> Policies = ["every-frame", "motion", "interval"];

    /// <summary>"every-frame", "motion" or "interval".</summary>
    public string Policy { get; set; } = "every-frame";

    /// <summary>Motion policy: with no motion and no live track, one frame this often still goes to the detector (a still object is still seen).</summary>
    public double KeepAliveSeconds { get; set; } = 2;

    /// <summary>Motion policy: after the last frame with motion, full rate continues this long (a pause in a walk is not the end of it).</summary>
    public double MotionHoldSeconds { get; set; } = 1;

    /// <summary>Motion policy: a frame has motion when at least this share (0-1) of the unmasked picture changed.</summary>
    public double MotionThreshold { get; set; } = 0.002;

    /// <summary>Interval policy: one frame in this many decoded frames is detected.</summary>
    public int IntervalFrames { get; set; } = 3;

    /// <summary>Motion measure: cells on the picture's longer side (16-160).</summary>
    public int MotionGridSize { get; set; } = 96;

    /// <summary>Motion measure: grey levels (0-255) a cell must differ from the background by to count as changed.</summary>
    public double PixelThreshold { get; set; } = 10;

    /// <summary>Motion measure: time constant of the background's running average, seconds.</summary>
    public double BackgroundSeconds { get; set; } = 4;

    public DetectionPolicyKind Kind => Policy switch
    {
        "motion" => DetectionPolicyKind.Motion,
        "interval" => DetectionPolicyKind.Interval,
        _ => DetectionPolicyKind.EveryFrame,
    };

    public MotionOptions Motion() => new() { GridSize = MotionGridSize, PixelThreshold = PixelThreshold, BackgroundSeconds = BackgroundSeconds };

    /// <summary>Adds every problem, with its path, to <paramref name="errors"/>.</summary>
    public void Validate(string path, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (!Policies.Contains(Policy))
        {
            errors.Add($"{path}.policy: '{Policy}' is not a detection policy (one of: {string.Join(", ", Policies)})");
        }

        Range(KeepAliveSeconds, 0.1, 60, "keepAliveSeconds");
        Range(MotionHoldSeconds, 0, 60, "motionHoldSeconds");
        Range(MotionThreshold, 0.00001, 1, "motionThreshold");
        Range(IntervalFrames, 1, 100, "intervalFrames");
        Range(MotionGridSize, 16, 160, "motionGridSize");
        Range(PixelThreshold, 1, 128, "pixelThreshold");
        Range(BackgroundSeconds, 0.1, 600, "backgroundSeconds");

        void Range(double value, double min, double max, string key)
        {
            if (double.IsNaN(value) || value < min || value > max)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{path}.{key}: {value} must be between {min} and {max}"));
            }
        }
    }
}
