namespace EdgeSentry.Routing;

/// <summary>Why an incident went to the unit it went to (or to none). Wire names in <see cref="LoopWire"/>.</summary>
public enum DispatchReason
{
    NearestInCell,
    NeighbourCell,
    Escalated,
    NoUnit,
}
