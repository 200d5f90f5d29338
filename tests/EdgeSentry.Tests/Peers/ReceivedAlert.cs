namespace EdgeSentry.Tests.Peers;

/// <summary>One alert as a centre consumer saw it, in arrival order.</summary>
public sealed record ReceivedAlert(string Consumer, string MessageId, string EdgeId, string IncidentId, int Sequence);
