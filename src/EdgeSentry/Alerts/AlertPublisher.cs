using System.Diagnostics.Metrics;
using EdgeSentry.Rules;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Alerts;

/// <summary>
/// The edge's voice on MQTT: registers the retained <c>offline</c> will before connecting, announces
/// <c>online</c> after every (re)connect, publishes incident transitions with QoS 1, and leaves <c>stopped</c>
/// behind on a graceful stop.
/// <para>Without an outbox, <see cref="PublishAsync(IncidentEvent, IncidentSnapshot?, CancellationToken)"/>
/// completes on the PUBACK and <see cref="StartAsync"/> fails when the broker cannot be reached. With an
/// <see cref="AlertOutbox"/>, publishing completes once the message is durably stored, <see cref="RunAsync"/>
/// forwards it, and <see cref="StartAsync"/> succeeds while the broker is down (libmosquitto keeps trying).</para>
/// </summary>
public sealed class AlertPublisher : IAsyncDisposable
{
    private readonly IncidentMessageBuilder builder;
    private readonly MqttConnection connection;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly string statusTopic;
    private readonly AlertOutbox? outbox;
    private int stopped;

    public AlertPublisher(
        MqttConnectionOptions mqtt,
        IncidentMessageBuilder builder,
        AlertOutbox? outbox = null,
        TimeProvider? time = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(mqtt);
        ArgumentNullException.ThrowIfNull(builder);
        this.builder = builder;
        this.outbox = outbox;
        this.time = time ?? TimeProvider.System;
        logger = loggerFactory?.CreateLogger<AlertPublisher>() ?? (ILogger)NullLogger.Instance;
        statusTopic = AlertTopics.EdgeStatus(builder.EdgeId);
        connection = new MqttConnection(
            mqtt with { Will = new MqttWill(statusTopic, builder.Status("offline", at: null), Qos: 1, Retain: true) },
            this.time,
            loggerFactory?.CreateLogger<MqttConnection>(),
            meterFactory);
        connection.StateChanged += OnStateChanged;
    }

    public MqttConnection Connection => connection;
    public string StatusTopic => statusTopic;

    /// <summary>Health hook: when set, every retained <c>online</c> status carries the health it returns.</summary>
    public Func<EdgeStatusHealth?>? Health { get; set; }

    /// <summary>Health hook: republishes the retained <c>online</c> status (with the current health) while connected and not stopped.</summary>
    public Task RefreshStatusAsync(CancellationToken cancellationToken = default) =>
        stopped == 0 && connection.IsConnected ? PublishStatusAsync("online", cancellationToken) : Task.CompletedTask;

    /// <summary>
    /// Without an outbox: connects (throwing a clear error naming host:port) and publishes the retained
    /// <c>online</c> status. With one: starts connecting and queues <c>online</c>, which goes out on connect.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (outbox is null)
        {
            await connection.ConnectAsync(cancellationToken);
            await PublishStatusAsync("online", cancellationToken);
            return;
        }

        connection.StartConnecting();
        Task acknowledged = await connection.BeginPublishAsync(
            statusTopic, builder.Status("online", time.GetUtcNow(), Health?.Invoke()), qos: 1, retain: true, cancellationToken);
        _ = LogIfStatusFailsAsync(acknowledged);
    }

    /// <summary>
    /// Publishes one incident transition. Without an outbox it completes on the broker's PUBACK; with one, as
    /// soon as the message is durably stored (<see cref="RunAsync"/> delivers it).
    /// </summary>
    public async Task<OutgoingMessage> PublishAsync(IncidentEvent incident, IncidentSnapshot? snapshot = null, CancellationToken cancellationToken = default)
    {
        OutgoingMessage message = builder.Build(incident, snapshot);
        if (outbox is not null)
        {
            await outbox.EnqueueAsync(message, cancellationToken);
        }
        else
        {
            await PublishAsync(message, cancellationToken);
        }

        return message;
    }

    /// <summary>Builds the message once (fixing its message id) so that retries are recognisable duplicates.</summary>
    public OutgoingMessage Build(IncidentEvent incident, IncidentSnapshot? snapshot = null) => builder.Build(incident, snapshot);

    /// <summary>Forwards the outbox to the broker until cancelled (see <see cref="AlertOutbox.RunAsync"/>).</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        outbox is null
            ? throw new InvalidOperationException("this AlertPublisher has no outbox: incidents are published directly")
            : outbox.RunAsync(connection, cancellationToken);

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
        connection.PublishAsync(statusTopic, builder.Status(state, time.GetUtcNow(), state == "online" ? Health?.Invoke() : null), qos: 1, retain: true, cancellationToken);

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

    private async Task LogIfStatusFailsAsync(Task acknowledged)
    {
        try
        {
            await acknowledged;
        }
        catch (MqttPublishException ex)
        {
            AlertsLog.StatusNotRepublished(logger, statusTopic, ex);
        }
    }
}
