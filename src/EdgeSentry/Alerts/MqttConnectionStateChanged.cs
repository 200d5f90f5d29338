namespace EdgeSentry.Alerts;

/// <summary>The connection came up or went down; raised on the connection's loop, so handlers must be quick.</summary>
public sealed record MqttConnectionStateChanged(bool Connected, bool IsReconnect, int ReasonCode, string Reason);
