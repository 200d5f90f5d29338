namespace EdgeSentry.Alerts;

/// <summary>A received message, copied out of libmosquitto's buffers.</summary>
public sealed record MqttMessage(string Topic, ReadOnlyMemory<byte> Payload, int Qos, bool Retain);

/// <summary>The connection came up or went down; raised on libmosquitto's network thread, so handlers must be quick.</summary>
public sealed record MqttConnectionStateChanged(bool Connected, bool IsReconnect, int ReasonCode, string Reason);

/// <summary>The broker could not be reached or refused us; the message names host:port.</summary>
public sealed class MqttConnectException : Exception
{
    public MqttConnectException()
    {
    }

    public MqttConnectException(string message)
        : base(message)
    {
    }

    public MqttConnectException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A publish was refused by libmosquitto or the broker, or the connection closed before the acknowledgement.</summary>
public sealed class MqttPublishException : Exception
{
    /// <summary>Set when the broker itself refused the message (MQTT 5 reason code ≥ 128): resending will not help.</summary>
    public int? BrokerReasonCode { get; init; }

    public MqttPublishException()
    {
    }

    public MqttPublishException(string message)
        : base(message)
    {
    }

    public MqttPublishException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
