namespace EdgeSentry.Alerts;

public sealed record MqttWill(string Topic, ReadOnlyMemory<byte> Payload, int Qos = 1, bool Retain = true);
