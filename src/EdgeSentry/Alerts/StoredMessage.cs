namespace EdgeSentry.Alerts;

/// <summary>One outbox row as the sender reads it.</summary>
internal sealed record StoredMessage(long Seq, string MessageId, string Topic, byte[] Payload, int Qos, bool Retain, long CreatedMs, int? ExpirySeconds = null);
