namespace EdgeSentry.Alerts;

/// <summary>A received message, copied out of the client's buffers.</summary>
public sealed record MqttMessage(string Topic, ReadOnlyMemory<byte> Payload, int Qos, bool Retain);
