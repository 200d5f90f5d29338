namespace EdgeSentry.Planning;

/// <summary>What the sizing is asked for: the box, the detection rate, the district, the headroom kept free.</summary>
public sealed record SizingInputs
{
    /// <summary>Cores of the box being sized.</summary>
    public required int Cores { get; init; }

    /// <summary>Detections per second per camera (the camera's maxFps; never more than the stream's own rate).</summary>
    public required double DetectionFps { get; init; }

    /// <summary>Cameras in the district.</summary>
    public required int DistrictCameras { get; init; }

    /// <summary>Fraction of the box kept free (0.2 = plan to 80 % CPU) for bursts, reconnects and the OS.</summary>
    public double Headroom { get; init; } = 0.2;

    /// <summary>Tracking, rules and per-frame bookkeeping per detection, in CPU ms (small next to inference).</summary>
    public double OverheadMsPerDetection { get; init; } = 0.5;

    /// <summary>The service's fixed cost whatever the cameras (stats, MQTT, outbox, GC), in cores.</summary>
    public double BaseCores { get; init; } = 0.02;

    /// <summary>Optional: also predict CPU and detections/s for exactly this many cameras on the box (acceptance check).</summary>
    public int? PredictCameras { get; init; }
}
