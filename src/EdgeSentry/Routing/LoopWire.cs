namespace EdgeSentry.Routing;

/// <summary>The one mapping between the loop's enums and the strings of contracts incident-state and dispatch.</summary>
public static class LoopWire
{
    public static string Name(LoopState state) => state switch
    {
        LoopState.Reported => "reported",
        LoopState.Dispatched => "dispatched",
        LoopState.Unassigned => "unassigned",
        LoopState.Accepted => "accepted",
        LoopState.OnSite => "on-site",
        LoopState.Resolved => "resolved",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "unknown loop state"),
    };

    public static string Name(DispatchReason reason) => reason switch
    {
        DispatchReason.NearestInCell => "nearest-in-cell",
        DispatchReason.NeighbourCell => "neighbour-cell",
        DispatchReason.Escalated => "escalated",
        DispatchReason.NoUnit => "no-unit",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "unknown dispatch reason"),
    };

    public static string Name(EndReason reason) => reason switch
    {
        EndReason.ConditionOver => "condition-over",
        EndReason.EdgeRestarted => "edge-restarted",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "unknown end reason"),
    };

    /// <summary>The state a unit's acknowledgement moves the incident to.</summary>
    public static LoopState StateOf(AckStatus status) => status switch
    {
        AckStatus.Accepted => LoopState.Accepted,
        AckStatus.OnSite => LoopState.OnSite,
        AckStatus.Resolved => LoopState.Resolved,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "unknown ack status"),
    };

    /// <summary>How far along the unit's acknowledgements are: an ack may only move forward.</summary>
    public static int Rank(LoopState state) => state switch
    {
        LoopState.Accepted => 1,
        LoopState.OnSite => 2,
        LoopState.Resolved => 3,
        _ => 0,
    };
}
