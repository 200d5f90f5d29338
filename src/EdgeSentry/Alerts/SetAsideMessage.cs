namespace EdgeSentry.Alerts;

/// <summary>A message the outbox moved aside because it can never be sent as it is (see <see cref="OutboxOptions"/>).</summary>
public sealed record SetAsideMessage(string MessageId, string Topic, long PayloadBytes, string Reason, string Detail);
