using EdgeSentry.Alerts;

namespace EdgeSentry.Routing;

/// <summary>
/// The closed-loop state of one incident, retained on <c>edgesentry/v1/incidents/{edgeId}/{incidentId}/state</c>, contract
/// <c>contracts/incident-state.v2.schema.json</c>. <see cref="Revision"/> orders them. v2 added <see cref="EndReason"/>;
/// the retained message now carries an MQTT 5 message expiry and is cleared (empty payload) once the loop is over.
/// </summary>
public sealed record IncidentStatePayload
{
    public const string SchemaName = "edgesentry/v1/incident-state";
    public const int SchemaVersion = 2;

    public string Schema { get; init; } = SchemaName;
    public int Version { get; init; } = SchemaVersion;
    public required string MessageId { get; init; }
    public required string EdgeId { get; init; }
    public required string IncidentId { get; init; }
    public required int Revision { get; init; }
    /// <summary>dispatched, unassigned (no unit), accepted, on-site or resolved.</summary>
    public required string State { get; init; }
    public required string CameraId { get; init; }
    public required string GridId { get; init; }
    public required int Severity { get; init; }
    public required int Level { get; init; }
    public string? UnitId { get; init; }
    public double? DistanceMetres { get; init; }
    public required string Reason { get; init; }
    public required int Escalations { get; init; }
    /// <summary>True once the rules ended the incident (the condition is over); the loop may still be open.</summary>
    public required bool Ended { get; init; }
    /// <summary>condition-over (the rules ended it) or edge-restarted (open when the edge process stopped).</summary>
    public string? EndReason { get; init; }
    public required string ReportedAt { get; init; }
    public string? DispatchedAt { get; init; }
    public string? AcceptBy { get; init; }
    public required string At { get; init; }
}
