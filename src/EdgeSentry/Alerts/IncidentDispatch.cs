namespace EdgeSentry.Alerts;

/// <summary>The routing decision carried by the centre's alert: which unit holds the incident, how far away, and why.</summary>
public sealed record IncidentDispatch
{
    /// <summary>nearest-in-cell, neighbour-cell, escalated or no-unit.</summary>
    public required string Reason { get; init; }
    public string? UnitId { get; init; }
    /// <summary>Great-circle distance from the camera to the unit, metres; absent when either position is unknown.</summary>
    public double? DistanceMetres { get; init; }
    /// <summary>The incident's level now (1-3); escalation raises it above the rule's severity.</summary>
    public required int Level { get; init; }
}
