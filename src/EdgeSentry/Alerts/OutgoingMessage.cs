using System.Text.Json;
using EdgeSentry.Rules;

namespace EdgeSentry.Alerts;

/// <summary>
/// A message ready for the broker: its id (for dedupe and the outbox), topic and serialised payload;
/// <paramref name="ExpirySeconds"/> is the MQTT 5 message expiry interval (null: none).
/// </summary>
public sealed record OutgoingMessage(string MessageId, string Topic, byte[] Payload, string CameraId, int Qos, bool Retain, int? ExpirySeconds = null);
