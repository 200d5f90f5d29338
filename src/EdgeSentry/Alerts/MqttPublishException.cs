namespace EdgeSentry.Alerts;

/// <summary>A publish was refused by the broker, did not fit its limits, or the connection closed before the acknowledgement.</summary>
public sealed class MqttPublishException : Exception
{
    /// <summary>Set when the broker itself refused the message in its PUBACK (MQTT 5 reason code ≥ 128).</summary>
    public int? BrokerReasonCode { get; init; }

    /// <summary>
    /// The packet exceeds the broker's Maximum Packet Size (CONNACK), or the broker dropped the connection for a
    /// packet too large: the same bytes can never be sent to this broker.
    /// </summary>
    public bool TooLarge { get; init; }

    /// <summary>The packet size that was too large, when <see cref="TooLarge"/>.</summary>
    public long PacketBytes { get; init; }

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
