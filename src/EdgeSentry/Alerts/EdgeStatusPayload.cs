namespace EdgeSentry.Alerts;

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
