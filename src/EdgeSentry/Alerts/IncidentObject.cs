namespace EdgeSentry.Alerts;

public sealed record IncidentObject
{
    public required int ClassId { get; init; }
    public required string Label { get; init; }
    public required float Score { get; init; }
    /// <summary>[x1, y1, x2, y2] in source-frame pixels.</summary>
    public required float[] Box { get; init; }
    public int? TrackId { get; init; }
}
