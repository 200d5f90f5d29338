namespace EdgeSentry.Alerts;

/// <summary>How to reach the broker.</summary>
public sealed record MqttConnectionOptions
{
    public required string Host { get; init; }
    public int Port { get; init; } = 1883;
    public required string ClientId { get; init; }
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How long <see cref="MqttConnection.ConnectAsync"/> waits for a successful CONNACK.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>5 (MQTT 5, the default) or 4 (MQTT 3.1.1).</summary>
    public int ProtocolVersion { get; init; } = 5;
    /// <summary>
    /// False (the default) resumes the broker-side session on reconnect: subscriptions stay and QoS 1 messages
    /// published to them while this client was away (unit acknowledgements) are delivered when it comes back,
    /// for <see cref="SessionExpiry"/> after the connection was lost.
    /// </summary>
    public bool CleanStart { get; init; }
    /// <summary>MQTT 5 session expiry interval: how long the broker keeps the session after the connection is lost.</summary>
    public TimeSpan SessionExpiry { get; init; } = TimeSpan.FromHours(24);
    public string? Username { get; init; }
    /// <summary>Never logged, never part of an exception message.</summary>
    public string? Password { get; init; }
    public MqttTlsOptions? Tls { get; init; }
    /// <summary>Set before connecting: the broker publishes it when the connection dies without a DISCONNECT.</summary>
    public MqttWill? Will { get; init; }
    /// <summary>
    /// Publishes queued or awaiting their acknowledgement at once: what bounds memory while the broker is away;
    /// callers wait for a slot.
    /// </summary>
    public int MaxInFlight { get; init; } = 1000;
    /// <summary>QoS 1 messages on the wire before waiting for PUBACKs; the broker's Receive Maximum (CONNACK) lowers it.</summary>
    public int WireInFlight { get; init; } = 100;
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReconnectDelayMax { get; init; } = TimeSpan.FromSeconds(8);
    /// <summary>Received messages buffered for <see cref="MqttConnection.Messages"/>; beyond it they are dropped and counted.</summary>
    public int IncomingCapacity { get; init; } = 10_000;
    /// <summary>Received payloads above this size are dropped and counted: whatever arrives from the network is untrusted.</summary>
    public int MaxIncomingPayloadBytes { get; init; } = 256 * 1024;
    /// <summary>
    /// Payload bytes buffered for <see cref="MqttConnection.Messages"/>: a count alone lets a few thousand large
    /// messages hold hundreds of MB while the reader is slow. Beyond it messages are dropped and counted.
    /// </summary>
    public long IncomingCapacityBytes { get; init; } = 16L * 1024 * 1024;

    public string Endpoint => $"{Host}:{Port}";

    /// <summary>The generated record ToString would print the password.</summary>
    public override string ToString() => $"MQTT {ClientId}@{Endpoint}";

    internal void Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Host))
        {
            errors.Add("Host is empty");
        }

        if (Port is < 1 or > 65535)
        {
            errors.Add($"Port {Port} is outside 1-65535");
        }

        if (string.IsNullOrEmpty(ClientId))
        {
            errors.Add("ClientId is empty");
        }

        if (ProtocolVersion is not (4 or 5))
        {
            errors.Add($"ProtocolVersion {ProtocolVersion} is not 4 (MQTT 3.1.1) or 5 (MQTT 5)");
        }

        if (KeepAlive < TimeSpan.FromSeconds(5) || KeepAlive > TimeSpan.FromSeconds(65535))
        {
            errors.Add($"KeepAlive {KeepAlive} is outside 5 s-65535 s");
        }

        if (SessionExpiry < TimeSpan.Zero || SessionExpiry.TotalSeconds > uint.MaxValue)
        {
            errors.Add($"SessionExpiry {SessionExpiry} is outside 0-{uint.MaxValue} s");
        }

        if (ConnectTimeout <= TimeSpan.Zero)
        {
            errors.Add("ConnectTimeout must be positive");
        }

        if (MaxInFlight is < 1 or > 30_000)
        {
            errors.Add($"MaxInFlight {MaxInFlight} is outside 1-30000");
        }

        if (WireInFlight is < 1 or > 65535)
        {
            errors.Add($"WireInFlight {WireInFlight} is outside 1-65535");
        }

        if (ReconnectDelay < TimeSpan.FromMilliseconds(100) || ReconnectDelayMax < ReconnectDelay)
        {
            errors.Add("ReconnectDelay must be at least 100 ms and ReconnectDelayMax at least ReconnectDelay");
        }

        if (IncomingCapacity < 1 || MaxIncomingPayloadBytes < 1 || IncomingCapacityBytes < MaxIncomingPayloadBytes)
        {
            errors.Add("IncomingCapacity and MaxIncomingPayloadBytes must be positive, IncomingCapacityBytes at least MaxIncomingPayloadBytes");
        }

        if (Password is not null && Username is null)
        {
            errors.Add("Password is set without Username");
        }

        if (Will is { } will && (string.IsNullOrEmpty(will.Topic) || will.Qos is < 0 or > 2))
        {
            errors.Add("Will needs a topic and a QoS of 0, 1 or 2");
        }

        if (Tls is { } tls)
        {
            errors.AddRange(tls.Validate());
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException($"MQTT options for {Endpoint} are invalid: {string.Join("; ", errors)}");
        }
    }
}
