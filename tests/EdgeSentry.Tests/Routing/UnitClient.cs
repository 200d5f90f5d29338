using EdgeSentry.Alerts;
using EdgeSentry.Routing;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Routing;

/// <summary>
/// A grid worker's unit as its own MQTT client on the real broker (client id = unit id): publishes its retained
/// status and its acknowledgements on its own topics, as the app on the worker's phone does.
/// </summary>
internal sealed class UnitClient : IAsyncDisposable
{
    private readonly MqttConnection _connection;

    private UnitClient(string unitId, MqttConnection connection)
    {
        UnitId = unitId;
        _connection = connection;
    }

    public string UnitId { get; }

    public static async Task<UnitClient> ConnectAsync(MosquittoBroker broker, string unitId, CancellationToken cancellationToken)
    {
        var connection = new MqttConnection(new MqttConnectionOptions
        {
            Host = broker.Host,
            Port = broker.Port,
            ClientId = unitId,
            CleanStart = true,
            SessionExpiry = TimeSpan.Zero,
            ReconnectDelayMax = TimeSpan.FromSeconds(1),
        });
        try
        {
            await connection.ConnectAsync(cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return new UnitClient(unitId, connection);
    }

    /// <summary>The retained on-duty status (QoS 1, waits for the PUBACK): what an edge sees when it subscribes.</summary>
    public Task OnDutyAsync(GeoPoint position, CancellationToken cancellationToken) =>
        _connection.PublishAsync(AlertTopics.UnitStatus(UnitId), RoutingFixture.StatusJson(true, DateTimeOffset.UtcNow, position), 1, retain: true, cancellationToken);

    /// <summary>An acknowledgement (QoS 1, not retained) of <paramref name="incidentId"/>.</summary>
    public Task AckAsync(string incidentId, string status, CancellationToken cancellationToken) =>
        _connection.PublishAsync(AlertTopics.UnitAcks(UnitId), RoutingFixture.AckJson(incidentId, status, DateTimeOffset.UtcNow), 1, retain: false, cancellationToken);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
