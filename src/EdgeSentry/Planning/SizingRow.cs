namespace EdgeSentry.Planning;

/// <summary>One model/layout on one stream format: cameras per box and boxes for the district.</summary>
public sealed record SizingRow
{
    public required string Model { get; init; }

    public required string Layout { get; init; }

    public required string Stream { get; init; }

    /// <summary>Detections per second per camera: the asked rate, capped at the stream's frame rate.</summary>
    public required double DetectionsPerCamera { get; init; }

    public required double DecodeCoresPerCamera { get; init; }

    public required double InferenceCpuMsPerDetection { get; init; }

    /// <summary>Decode plus detections x (inference + overhead): what one camera keeps busy.</summary>
    public required double CoresPerCamera { get; init; }

    public required int CamerasPerBox { get; init; }

    /// <summary>"cpu" when the box's cores run out first, "layout" when the sessions' threads do.</summary>
    public required string Limit { get; init; }

    /// <summary>Boxes for the district's cameras; null when not even one camera fits.</summary>
    public int? Boxes { get; init; }

    public CameraPrediction? Prediction { get; init; }
}
