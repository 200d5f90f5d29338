namespace EdgeSentry.Pipeline;

/// <summary>Retained on edgesentry/v1/edges/{edgeId}/cameras/{cameraId}/status (contract camera-status.v2). The reason is redacted.</summary>
public sealed record CameraStatusPayload(string CameraId, string State, string? Reason, string At)
{
    /// <summary>The box the camera belongs to: camera ids are unique per box only.</summary>
    public string EdgeId { get; init; } = string.Empty;
    public string Schema { get; init; } = "edgesentry/v1/camera-status";
    public int Version { get; init; } = 2;
}
