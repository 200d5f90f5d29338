namespace EdgeSentry.Routing;

/// <summary>Where an incident is in the closed loop. Wire names in <see cref="LoopWire"/>, nowhere else.</summary>
public enum LoopState
{
    Reported,
    Dispatched,
    Unassigned,
    Accepted,
    OnSite,
    Resolved,
}
