namespace EdgeSentry.Operator;

/// <summary>
/// An incident's dispatch and closed-loop state after a change the router stored (wire names of the incident-state
/// message): the unit holding it and at which level, whether the broker took the dispatch (its clock runs until
/// <c>AcceptBy</c>), the unit's acknowledgement, escalations, and why it ended.
/// </summary>
public sealed record LoopItem(
    long Seq, string IncidentId, string State, int Level, string? UnitId, double? DistanceMetres, string Reason,
    int Escalations, IReadOnlyList<string> Tried, string? AcceptBy, bool Delivered, bool Ended, string? EndReason, string At) : FeedEvent(Seq);
