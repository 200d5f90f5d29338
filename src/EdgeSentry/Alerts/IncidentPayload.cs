namespace EdgeSentry.Alerts;

/// <summary>
/// An incident transition on <c>edgesentry/v1/alerts/{gridId}/{edgeId}/{cameraId}</c>, contract
/// <c>contracts/incident.v4.schema.json</c> (v2 added <see cref="Dispatch"/>, v3 <c>snapshotOmitted</c>, which
/// <see cref="AlertShrinker"/> writes when an alert does not fit the broker, v4 <see cref="Line"/>). Receivers drop duplicates by <see cref="MessageId"/> (QoS 1 is
/// at-least-once) and order by (<see cref="IncidentId"/>, <see cref="Sequence"/>).
/// </summary>
public sealed record IncidentPayload
{
    public const string SchemaName = "edgesentry/v1/incident";
    public const int SchemaVersion = 4;

    public string Schema { get; init; } = SchemaName;
    public int Version { get; init; } = SchemaVersion;
    public required string MessageId { get; init; }
    public required string EdgeId { get; init; }
    public required string IncidentId { get; init; }
    public required int Sequence { get; init; }
    /// <summary>started, updated or ended.</summary>
    public required string Transition { get; init; }
    public required string Kind { get; init; }
    public required string RuleId { get; init; }
    public required string CameraId { get; init; }
    public required string CameraName { get; init; }
    public required string GridId { get; init; }
    public string? ZoneId { get; init; }
    public required int Severity { get; init; }
    public required IncidentObject Object { get; init; }
    public required int ObjectCount { get; init; }
    public required FrameSize Frame { get; init; }
    /// <summary>ISO 8601 UTC with milliseconds, e.g. 2026-11-23T08:00:00.000Z.</summary>
    public required string StartedAt { get; init; }
    public required string At { get; init; }
    public required double PtsSeconds { get; init; }
    public required double StartedPtsSeconds { get; init; }
    public double? DurationSeconds { get; init; }
    public int? PeakObjectCount { get; init; }
    /// <summary>On started transitions when a frame was available: the JPEG with boxes and zone drawn.</summary>
    public IncidentSnapshot? Snapshot { get; init; }
    /// <summary>Where the incident was routed, when routing is configured.</summary>
    public IncidentDispatch? Dispatch { get; init; }
    /// <summary>Line-crossing incidents: the line, the direction counted and the crossings per class.</summary>
    public IncidentLine? Line { get; init; }
}
