using EdgeSentry.Rules;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Alerts;

/// <summary>
/// The edge's voice on MQTT: registers the retained <c>offline</c> will before connecting, announces
/// <c>online</c> after every (re)connect, publishes incident transitions with QoS 1, and leaves <c>stopped</c>
/// behind on a graceful stop.
/// </summary>
public sealed class AlertPublisher : IAsyncDisposable
{
    private readonly IncidentMessageBuilder builder;
    private readonly MqttConnection connection;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly string statusTopic;
    private int stopped;

    public AlertPublisher(
        MqttConnectionOptions mqtt,
        IncidentMessageBuilder builder,
        TimeProvider? time = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(mqtt);
        ArgumentNullException.ThrowIfNull(builder);
        this.builder = builder;
        this.time = time ?? TimeProvider.System;
        logger = loggerFactory?.CreateLogger<AlertPublisher>() ?? (ILogger)NullLogger.Instance;
        statusTopic = AlertTopics.EdgeStatus(builder.EdgeId);
        connection = new MqttConnection(
            mqtt with { Will = new MqttWill(statusTopic, builder.Status("offline", at: null), Qos: 1, Retain: true) },
            this.time,
            loggerFactory?.CreateLogger<MqttConnection>());
        connection.StateChanged += OnStateChanged;
    }

    public MqttConnection Connection => connection;
    public string StatusTopic => statusTopic;

    /// <summary>Connects (throwing a clear error naming host:port) and publishes the retained <c>online</c> status.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await connection.ConnectAsync(cancellationToken);
        await PublishStatusAsync("online", cancellationToken);
    }

    /// <summary>Publishes one incident transition and completes when the broker has acknowledged it.</summary>
    public async Task<OutgoingMessage> PublishAsync(IncidentEvent incident, IncidentSnapshot? snapshot = null, CancellationToken cancellationToken = default)
    {
        OutgoingMessage message = builder.Build(incident, snapshot);
        await PublishAsync(message, cancellationToken);
        return message;
    }

    /// <summary>Builds the message once (fixing its message id) so that retries are recognisable duplicates.</summary>
    public OutgoingMessage Build(IncidentEvent incident, IncidentSnapshot? snapshot = null) => builder.Build(incident, snapshot);

    public Task PublishAsync(OutgoingMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return connection.PublishAsync(message.Topic, message.Payload, message.Qos, message.Retain, cancellationToken);
    }

    /// <summary>Leaves the retained <c>stopped</c> status and disconnects cleanly, so the broker discards the will.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref stopped, 1) != 0)
        {
            return;
        }

        if (connection.IsConnected)
        {
            await PublishStatusAsync("stopped", cancellationToken);
        }

        await connection.DisconnectAsync();
    }

    public async ValueTask DisposeAsync()
    {
        connection.StateChanged -= OnStateChanged;
        await connection.DisposeAsync();
    }

    private Task PublishStatusAsync(string state, CancellationToken cancellationToken) =>
        connection.PublishAsync(statusTopic, builder.Status(state, time.GetUtcNow()), qos: 1, retain: true, cancellationToken);

    private void OnStateChanged(object? sender, MqttConnectionStateChanged change)
    {
        // After a lost connection the broker has published our will: replace the retained offline again.
        if (change.Connected && change.IsReconnect && stopped == 0)
        {
            _ = RepublishOnlineAsync();
        }
    }

    private async Task RepublishOnlineAsync()
    {
        try
        {
            await PublishStatusAsync("online", CancellationToken.None);
        }
        catch (Exception ex) when (ex is MqttPublishException or ObjectDisposedException)
        {
            AlertsLog.StatusNotRepublished(logger, statusTopic, ex);
        }
    }
}
