using EdgeSentry.Alerts;
using EdgeSentry.Tests.Contracts;

namespace EdgeSentry.Tests.Peers;

/// <summary>
/// Subscribes to a pattern ('#' by default) on a real broker through EdgeSentry's own binding and collects
/// every message. Waits take a CancellationToken as their cap, so a missing message fails the test instead of
/// hanging it; the cap is generous and never a timing assertion.
/// <para>Every message it hands out on an <c>edgesentry/v1/...</c> topic is first validated against the schema
/// contracts/asyncapi.yaml assigns to that topic's channel (<see cref="AsyncApiContract"/>); a message no channel
/// describes or that breaks its schema fails the test, so every message the suite sees checks the contract.</para>
/// </summary>
public sealed class MqttTestSubscriber : IAsyncDisposable
{
    private readonly MqttConnection _connection;

    private MqttTestSubscriber(MqttConnection connection) => _connection = connection;

    public MqttConnection Connection => _connection;

    /// <summary>
    /// Subscribes with QoS 1. <paramref name="persistentSession"/> keeps the MQTT 5 session (clean start off, a
    /// session expiry), so with a persistent broker nothing published while this subscriber reconnects is lost;
    /// otherwise each connection starts clean.
    /// </summary>
    public static async Task<MqttTestSubscriber> StartAsync(
        MosquittoBroker broker,
        string pattern = "#",
        bool persistentSession = false,
        Func<MqttConnectionOptions, MqttConnectionOptions>? configure = null,
        CancellationToken cancellationToken = default)
    {
        configure ??= static o => o;
        var connection = new MqttConnection(configure(new MqttConnectionOptions
        {
            Host = broker.Host,
            Port = broker.Port,
            ClientId = "test-sub-" + Guid.NewGuid().ToString("N")[..8],
            IncomingCapacity = 1_000_000,
            CleanStart = !persistentSession,
            SessionExpiry = persistentSession ? TimeSpan.FromHours(1) : TimeSpan.Zero,
            ReconnectDelayMax = TimeSpan.FromSeconds(1),
        }));
        try
        {
            await connection.ConnectAsync(cancellationToken);
            await connection.SubscribeAsync(pattern, 1, cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return new MqttTestSubscriber(connection);
    }

    /// <summary>A token that cancels after a generous cap: the bound for waiting on a real peer.</summary>
    public static CancellationToken Cap(int seconds = 30) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    public async Task<MqttMessage> NextAsync(CancellationToken cancellationToken) =>
        Checked(await _connection.Messages.ReadAsync(cancellationToken));

    /// <summary>Validates a received message against asyncapi.yaml; throws (failing the test) on a mismatch.</summary>
    public static MqttMessage Checked(MqttMessage message)
    {
        if (message.Topic.StartsWith(AlertTopics.Root + "/", StringComparison.Ordinal))
        {
            IReadOnlyList<string> errors = AsyncApiContract.Default.Validate(message.Topic, message.Payload.Span);
            if (errors.Count > 0)
            {
                Assert.Fail("message breaks contracts/asyncapi.yaml:\n" + string.Join("\n", errors));
            }
        }

        return message;
    }

    /// <summary>The first message (skipping others) that matches.</summary>
    public async Task<MqttMessage> WaitForAsync(Func<MqttMessage, bool> match, CancellationToken cancellationToken)
    {
        while (true)
        {
            MqttMessage message = Checked(await _connection.Messages.ReadAsync(cancellationToken));
            if (match(message))
            {
                return message;
            }
        }
    }

    /// <summary>The next <paramref name="count"/> messages on topics that match.</summary>
    public async Task<List<MqttMessage>> CollectAsync(int count, Func<MqttMessage, bool> match, CancellationToken cancellationToken)
    {
        var collected = new List<MqttMessage>(count);
        while (collected.Count < count)
        {
            MqttMessage message = Checked(await _connection.Messages.ReadAsync(cancellationToken));
            if (match(message))
            {
                collected.Add(message);
            }
        }

        return collected;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
