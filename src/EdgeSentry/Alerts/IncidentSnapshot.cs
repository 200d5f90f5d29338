namespace EdgeSentry.Alerts;

/// <summary>The snapshot travels in the alert itself (base64) so a receiver never sees an alert without its picture.</summary>
public sealed record IncidentSnapshot
{
    public string ContentType { get; init; } = "image/jpeg";
    public required int Width { get; init; }
    public required int Height { get; init; }
    /// <summary>Base64 of the JPEG bytes.</summary>
    public required byte[] Data { get; init; }
}
