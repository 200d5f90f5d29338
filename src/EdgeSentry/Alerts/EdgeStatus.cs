using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Alerts;

/// <summary>
/// The edge's retained status on <c>edgesentry/v1/edges/{edgeId}/status</c>: <c>offline</c> is the will the broker
/// publishes when the edge vanishes without a DISCONNECT, <c>online</c> is published after every (re)connect
/// (replacing the will's <c>offline</c>), <c>stopped</c> on a graceful stop.
/// </summary>
public sealed class EdgeStatus : IDisposable
{
    private readonly MqttConnection _connection;
    private readonly IncidentMessageBuilder _builder;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _stopped;

    public EdgeStatus(MqttConnection connection, IncidentMessageBuilder builder, TimeProvider? time = null, ILogger<EdgeStatus>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(builder);
        _connection = connection;
        _builder = builder;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Topic = AlertTopics.EdgeStatus(builder.EdgeId);
        _connection.StateChanged += OnStateChanged;
    }

    public string Topic { get; }

    /// <summary>Health hook: when set, every retained <c>online</c> status carries the health it returns.</summary>
    public Func<EdgeStatusHealth?>? Health { get; set; }

    /// <summary>Republishes the retained <c>online</c> status (with the current health) while connected and not stopped.</summary>
    public Task RefreshAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _stopped) == 0 && _connection.IsConnected
            ? _connection.PublishAsync(Topic, _builder.Status("online", _time.GetUtcNow(), Health?.Invoke()), qos: 1, retain: true, cancellationToken)
            : Task.CompletedTask;

    /// <summary>The will to register on the connection before it connects: retained <c>offline</c>, QoS 1.</summary>
    public static MqttWill Will(IncidentMessageBuilder builder) =>
        new(AlertTopics.EdgeStatus(builder.EdgeId), builder.Status("offline", at: null), Qos: 1, Retain: true);

    /// <summary>Queues <c>online</c>; it goes out as soon as the connection is up (the broker may still be away).</summary>
    public async Task AnnounceAsync(CancellationToken cancellationToken)
    {
        Task acknowledged = await _connection.BeginPublishAsync(Topic, _builder.Status("online", _time.GetUtcNow(), Health?.Invoke()), qos: 1, retain: true, cancellationToken);
        _ = LogIfFailsAsync(acknowledged);
    }

    /// <summary>Leaves <c>stopped</c> behind when connected; the caller then disconnects cleanly so the will is discarded.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0 || !_connection.IsConnected)
        {
            return;
        }

        await _connection.PublishAsync(Topic, _builder.Status("stopped", _time.GetUtcNow()), qos: 1, retain: true, cancellationToken);
    }

    public void Dispose() => _connection.StateChanged -= OnStateChanged;

    private void OnStateChanged(object? sender, MqttConnectionStateChanged change)
    {
        // After a lost connection the broker has published our will: replace the retained offline again.
        if (change.Connected && change.IsReconnect && Volatile.Read(ref _stopped) == 0)
        {
            _ = PublishOnlineAsync();
        }
    }

    private async Task PublishOnlineAsync()
    {
        try
        {
            await AnnounceAsync(CancellationToken.None);
        }
        catch (ObjectDisposedException ex)
        {
            AlertsLog.StatusNotRepublished(_logger, Topic, ex);
        }
    }

    private async Task LogIfFailsAsync(Task acknowledged)
    {
        try
        {
            await acknowledged;
        }
        catch (MqttPublishException ex)
        {
            AlertsLog.StatusNotRepublished(_logger, Topic, ex);
        }
    }
}
