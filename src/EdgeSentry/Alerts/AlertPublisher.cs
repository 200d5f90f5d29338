using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Alerts;

/// <summary>
/// The edge's MQTT side, owned for the service's lifetime: the connection (with the <c>offline</c> will), the
/// <see cref="EdgeStatus"/> and the <see cref="OutboxSender"/> that forwards the outbox store. Alerts reach it
/// only through the store (see <c>Pipeline.IncidentDispatcher</c>): there is no path around the outbox.
/// </summary>
public sealed class AlertPublisher : IAsyncDisposable
{
    private readonly MqttConnection _connection;
    private readonly EdgeStatus _status;
    private readonly OutboxSender _sender;

    public AlertPublisher(
        MqttConnectionOptions mqtt,
        IncidentMessageBuilder builder,
        AlertOutbox outbox,
        TimeProvider? time = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(mqtt);
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(outbox);
        _connection = new MqttConnection(mqtt with { Will = EdgeStatus.Will(builder) }, time, loggerFactory?.CreateLogger<MqttConnection>(), meterFactory);
        _status = new EdgeStatus(_connection, builder, time, loggerFactory?.CreateLogger<EdgeStatus>());
        _sender = new OutboxSender(outbox, _connection, new AlertShrinker(loggerFactory?.CreateLogger<AlertShrinker>()), time, loggerFactory?.CreateLogger<OutboxSender>());
    }

    public MqttConnection Connection => _connection;
    public string StatusTopic => _status.Topic;

    /// <summary>Health hook: when set, every retained <c>online</c> status carries the health it returns.</summary>
    public Func<EdgeStatusHealth?>? Health
    {
        get => _status.Health;
        set => _status.Health = value;
    }

    /// <summary>Health hook: republishes the retained <c>online</c> status (with the current health) while connected and not stopped.</summary>
    public Task RefreshStatusAsync(CancellationToken cancellationToken = default) => _status.RefreshAsync(cancellationToken);

    /// <summary>Starts connecting (returning at once: alerts wait in the outbox while the broker is away) and queues <c>online</c>.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _connection.StartConnecting();
        await _status.AnnounceAsync(cancellationToken);
    }

    /// <summary>Forwards the outbox to the broker until cancelled (see <see cref="OutboxSender.RunAsync"/>).</summary>
    public Task RunAsync(CancellationToken cancellationToken) => _sender.RunAsync(cancellationToken);

    /// <summary>Leaves the retained <c>stopped</c> status and disconnects cleanly, so the broker discards the will.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _status.StopAsync(cancellationToken);
        await _connection.DisconnectAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _status.Dispose();
        await _connection.DisposeAsync();
    }
}
