using EdgeSentry.Capture;
using EdgeSentry.Rules;

namespace EdgeSentry.Configuration;

/// <summary>Routing to units: the grid map, when a unit's status goes stale, input limits and acceptance SLAs.</summary>
public sealed class RoutingSection
{
    /// <summary>GeoJSON FeatureCollection of the grid cells (properties id, name, community, street).</summary>
    public string GridMap { get; set; } = string.Empty;
    /// <summary>Cells whose boundaries come this close count as neighbours too (0: only cells sharing a vertex).</summary>
    public double NeighbourDistanceMetres { get; set; }
    public double StatusStaleAfterSeconds { get; set; } = 600;
    public int MaxInputBytes { get; set; } = 4096;
    /// <summary>Seconds a unit has to accept, for levels 1, 2 and 3.</summary>
    public List<int> AcceptSlaSeconds { get; set; } = [300, 180, 60];
    public int MaxTrackedIncidents { get; set; } = 10_000;
    /// <summary>MQTT 5 message expiry of the retained incident state (default two days).</summary>
    public int StateExpirySeconds { get; set; } = 172_800;
    /// <summary>How far ahead of this box's clock a unit's timestamp may be before the message is rejected.</summary>
    public double MaxClockSkewSeconds { get; set; } = 300;
    /// <summary>Per-unit rate limit (token bucket): sustained messages a second, and the burst allowed at once.</summary>
    public double UnitMessagesPerSecond { get; set; } = 2;
    public int UnitBurst { get; set; } = 20;
}
