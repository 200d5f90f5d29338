using EdgeSentry.Alerts;

namespace EdgeSentry.Tests.Peers;

/// <summary>
/// A centre service reading alerts through EdgeSentry's own MQTT binding: subscribed (QoS 1) once the broker
/// has acknowledged the subscription, it records every alert it receives in a shared <see cref="AlertTally"/>.
/// </summary>
public sealed class CentreConsumer : IAsyncDisposable
{
    private readonly MqttConnection _connection;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;

    private CentreConsumer(string name, MqttConnection connection, AlertTally tally)
    {
        Name = name;
        _connection = connection;
        _pump = PumpAsync(tally);
    }

    public string Name { get; }

    public static async Task<CentreConsumer> StartAsync(string name, MqttConnectionOptions options, string filter, AlertTally tally, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tally);
        var connection = new MqttConnection(options);
        try
        {
            await connection.ConnectAsync(cancellationToken);
            // Returns after the SUBACK: from here on the group includes this consumer.
            await connection.SubscribeAsync(filter, 1, cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return new CentreConsumer(name, connection, tally);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _connection.DisposeAsync();
        _stop.Dispose();
    }

    private async Task PumpAsync(AlertTally tally)
    {
        await foreach (MqttMessage message in _connection.Messages.ReadAllAsync(_stop.Token))
        {
            tally.Add(Name, message);
        }
    }
}
