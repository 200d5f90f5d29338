namespace EdgeSentry.Alerts;

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
