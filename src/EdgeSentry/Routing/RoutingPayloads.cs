using System.Text.Json.Serialization;
using EdgeSentry.Alerts;

namespace EdgeSentry.Routing;

/// <summary>
/// An incident handed to a recipient: a unit on <c>edgesentry/v1/units/{unitId}/alerts</c>, or a street office on
/// <c>edgesentry/v1/escalations/{street}</c>. Contract <c>contracts/dispatch.v1.schema.json</c>.
/// </summary>
public sealed record DispatchPayload
{
    public const string SchemaName = "edgesentry/v1/dispatch";
    public const int SchemaVersion = 1;

    public string Schema { get; init; } = SchemaName;
    public int Version { get; init; } = SchemaVersion;
    public required string MessageId { get; init; }
    public required string EdgeId { get; init; }
    /// <summary>unit or street.</summary>
    public required string Recipient { get; init; }
    public string? UnitId { get; init; }
    public string? Street { get; init; }
    /// <summary>dispatched (now yours), updated, ended (the condition is over), withdrawn (given to another unit), escalated (street).</summary>
    public required string Event { get; init; }
    public required string IncidentId { get; init; }
    /// <summary>The sequence of the incident transition this message goes with.</summary>
    public required int Sequence { get; init; }
    public required string Transition { get; init; }
    public required string Kind { get; init; }
    public required string RuleId { get; init; }
    public required string CameraId { get; init; }
    public required string CameraName { get; init; }
    public required string GridId { get; init; }
    public double? CameraLat { get; init; }
    public double? CameraLon { get; init; }
    public required int Level { get; init; }
    public required string Reason { get; init; }
    public double? DistanceMetres { get; init; }
    /// <summary>Accept before this moment or the incident goes to the next unit.</summary>
    public string? AcceptBy { get; init; }
    public required string At { get; init; }
    public IncidentSnapshot? Snapshot { get; init; }
}

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

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DispatchPayload))]
[JsonSerializable(typeof(IncidentStatePayload))]
internal sealed partial class RoutingJsonContext : JsonSerializerContext;
