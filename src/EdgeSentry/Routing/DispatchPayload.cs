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
