namespace EdgeSentry.Tests.Peers;

/// <summary>One alert as a centre consumer saw it, in arrival order: the topic it came on and its payload's ids.</summary>
public sealed record ReceivedAlert(string Consumer, string Topic, string MessageId, string EdgeId, string GridId, string CameraId, string IncidentId, int Sequence);
