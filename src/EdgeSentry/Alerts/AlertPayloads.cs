using System.Text.Json.Serialization;

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

/// <summary>Which line was crossed, which way counts ("both" or "direction" with <see cref="Direction"/>) and how many per label.</summary>
public sealed record IncidentLine
{
    public required string LineId { get; init; }
    public required string Counted { get; init; }
    public IReadOnlyList<double>? Direction { get; init; }
    public required IReadOnlyDictionary<string, int> ClassCounts { get; init; }
}

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

public sealed record IncidentObject
{
    public required int ClassId { get; init; }
    public required string Label { get; init; }
    public required float Score { get; init; }
    /// <summary>[x1, y1, x2, y2] in source-frame pixels.</summary>
    public required float[] Box { get; init; }
    public int? TrackId { get; init; }
}

public sealed record FrameSize(int Width, int Height);

/// <summary>The snapshot travels in the alert itself (base64) so a receiver never sees an alert without its picture.</summary>
public sealed record IncidentSnapshot
{
    public string ContentType { get; init; } = "image/jpeg";
    public required int Width { get; init; }
    public required int Height { get; init; }
    /// <summary>Base64 of the JPEG bytes.</summary>
    public required byte[] Data { get; init; }
}

/// <summary>The retained edge status on <c>edgesentry/v1/edges/{edgeId}/status</c>, contract <c>contracts/edge-status.v1.schema.json</c>.</summary>
public sealed record EdgeStatusPayload
{
    public const string SchemaName = "edgesentry/v1/edge-status";
    public const int SchemaVersion = 1;

    public string Schema { get; init; } = SchemaName;
    public int Version { get; init; } = SchemaVersion;
    public required string EdgeId { get; init; }
    /// <summary>online, offline (the last will) or stopped.</summary>
    public required string State { get; init; }
    /// <summary>When the state was entered; absent on offline, whose payload is fixed when the will is registered.</summary>
    public string? At { get; init; }
    /// <summary>While online: ok / degraded / failing with reasons (see <c>Diagnostics.EdgeHealth</c>); absent otherwise.</summary>
    public EdgeStatusHealth? Health { get; init; }
}

/// <summary>The health part of the edge status.</summary>
public sealed record EdgeStatusHealth(string Status, IReadOnlyList<string> Reasons);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IncidentPayload))]
[JsonSerializable(typeof(EdgeStatusPayload))]
internal sealed partial class AlertJsonContext : JsonSerializerContext;
