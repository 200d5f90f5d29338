using System.Text;
using EdgeSentry.Alerts;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Alerts;

/// <summary>
/// <c>edgesentry.outbox.publish_failures</c> moves when a real mosquitto refuses a publish (its ACL denies the topic:
/// MQTT 5 PUBACK 0x87 "not authorized") or never acknowledges it (frozen with SIGSTOP, then the connection closes).
/// </summary>
public sealed class OutboxPublishFailureTests : IAsyncLifetime
{
    private const string User = "edge-pf";
    private const string Password = "publish-failure-test";

    private readonly string _directory = Directory.CreateTempSubdirectory("edgesentry-pubfail-").FullName;
    private MosquittoBroker _broker = null!;
    private MosquittoBrokerSettings _settings = null!;

    private string DatabasePath => Path.Combine(_directory, "outbox.db");

    public async Task InitializeAsync()
    {
        // The edge may write only outbox-test/allowed/...: everything else is denied by the broker.
        string acl = Path.Combine(_directory, "test.acl");
        await File.WriteAllTextAsync(acl, $"user {User}\ntopic readwrite outbox-test/allowed/#\n");
        MosquittoBroker.OpenToAll(_directory, directory: true);
        MosquittoBroker.OpenToAll(acl, directory: false);
        _settings = new MosquittoBrokerSettings { Users = new Dictionary<string, string> { [User] = Password }, AclFile = acl };
        _broker = await MosquittoBroker.StartAsync(_settings);
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task RunAsync_BrokerAclDeniesTopic_CountsRefusedFailureAndSetsTheMessageAside()
    {
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        await using AlertOutbox outbox = AlertOutbox.Open(new OutboxOptions { DatabasePath = DatabasePath });
        using var metrics = new OutboxMetrics(outbox);
        await outbox.EnqueueAsync([Message("outbox-test/allowed/a"), Message("outbox-test/denied/b"), Message("outbox-test/allowed/c")]);
        await using var connection = new MqttConnection(Options("pf-refused"));
        await connection.ConnectAsync(MqttTestSubscriber.Cap());
        using var run = new CancellationTokenSource();
        Task sending = new OutboxSender(outbox, connection).RunAsync(run.Token);

        await outbox.WaitUntilEmptyAsync(MqttTestSubscriber.Cap());
        await run.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);

        SetAsideMessage aside = Assert.Single(await outbox.ReadSetAsideAsync());
        Assert.Equal(("outbox-test/denied/b", "refused"), (aside.Topic, aside.Reason));
        Assert.Contains("reason code 135", aside.Detail, StringComparison.Ordinal);
        Assert.Equal(1, outbox.PublishFailures);
        Assert.Equal(1, metrics.Sum("edgesentry.outbox.publish_failures", "reason", OutboxSender.Refused));
        Assert.Equal(1, metrics.Sum("edgesentry.outbox.publish_failures"));
        Assert.Equal(1, metrics.Sum("edgesentry.outbox.set_aside", "reason", "refused"));
        // The two allowed messages were acknowledged; their enqueue-to-PUBACK latency is recorded in seconds.
        Assert.Equal(2, metrics.Sum("edgesentry.outbox.acknowledged"));
        IReadOnlyList<double> latencies = metrics.Values("edgesentry.outbox.publish_latency");
        Assert.Equal(2, latencies.Count);
        // In seconds: no message waited longer than the whole test (a value in milliseconds would).
        Assert.All(latencies, s => Assert.InRange(s, 0, elapsed.Elapsed.TotalSeconds));
    }

    [Fact]
    public async Task RunAsync_BrokerFrozenThenConnectionClosed_CountsUnacknowledgedAndTheNextSenderDeliversIt()
    {
        await using AlertOutbox outbox = AlertOutbox.Open(new OutboxOptions { DatabasePath = DatabasePath });
        using var metrics = new OutboxMetrics(outbox);
        var first = new MqttConnection(Options("pf-frozen"));
        await first.ConnectAsync(MqttTestSubscriber.Cap());
        using var run = new CancellationTokenSource();
        Task sending = new OutboxSender(outbox, first).RunAsync(run.Token);
        _broker.Signal("STOP");
        try
        {
            // Handed over and on the wire; the frozen broker cannot answer.
            await outbox.EnqueueAsync(Message("outbox-test/allowed/frozen"));
            await UntilAsync(() => first.InFlight == 1);
            Assert.Equal(1, MqttConnectionTests.ObservedMetric(first, "edgesentry.mqtt.in_flight"));
            metrics.Observe();
            Assert.Equal(1, metrics.Last("edgesentry.outbox.depth"));
            await run.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
            await first.DisposeAsync();
            await UntilAsync(() => outbox.PublishFailures == 1);
        }
        finally
        {
            _broker.Signal("CONT");
        }

        Assert.Equal(1, metrics.Sum("edgesentry.outbox.publish_failures", "reason", OutboxSender.Unacknowledged));
        Assert.Equal(1, outbox.Depth);

        // Nothing lost: the row stays and the next sender delivers it.
        await using var second = new MqttConnection(Options("pf-second"));
        await second.ConnectAsync(MqttTestSubscriber.Cap());
        using var again = new CancellationTokenSource();
        Task resending = new OutboxSender(outbox, second).RunAsync(again.Token);
        await outbox.WaitUntilEmptyAsync(MqttTestSubscriber.Cap());
        await again.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => resending);
        Assert.Equal(1, metrics.Sum("edgesentry.outbox.acknowledged"));
        Assert.Equal(1, outbox.PublishFailures);
    }

    [Fact]
    public async Task RunAsync_BrokerReturnsWithSmallerPacketLimit_CountsTooLargeAndSetsTheMessageAside()
    {
        await using AlertOutbox outbox = AlertOutbox.Open(new OutboxOptions { DatabasePath = DatabasePath });
        using var metrics = new OutboxMetrics(outbox);
        await using var connection = new MqttConnection(Options("pf-limit"));
        await connection.ConnectAsync(MqttTestSubscriber.Cap());
        using var run = new CancellationTokenSource();
        Task sending = new OutboxSender(outbox, connection).RunAsync(run.Token);

        // Handed over under the first broker's limit (none stated), unacknowledged while it is frozen; it dies and a
        // broker with max_packet_size 32768 takes its port: the limit is learned after the hand-over.
        _broker.Signal("STOP");
        await outbox.EnqueueAsync(Message("outbox-test/allowed/big", 40_000));
        await UntilAsync(() => connection.InFlight == 1);
        int port = _broker.Port;
        await _broker.KillAsync();
        await using var limited = await MosquittoBroker.StartAsync(_settings with { MaxPacketSize = 32768 }, port);

        await outbox.WaitUntilEmptyAsync(MqttTestSubscriber.Cap());
        await run.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);

        Assert.Equal(1, metrics.Sum("edgesentry.outbox.publish_failures", "reason", OutboxSender.TooLarge));
        Assert.Equal(1, outbox.PublishFailures);
        // An opaque payload cannot be made smaller: kept in the set-aside table, not blocking the queue.
        SetAsideMessage aside = Assert.Single(await outbox.ReadSetAsideAsync());
        Assert.Equal(("too-large", 40_000L), (aside.Reason, aside.PayloadBytes));
    }

    private MqttConnectionOptions Options(string clientId) => new()
    {
        Host = _broker.Host,
        Port = _broker.Port,
        ClientId = clientId,
        Username = User,
        Password = Password,
        ReconnectDelayMax = TimeSpan.FromSeconds(1),
    };

    private static OutgoingMessage Message(string topic, int size = 0)
    {
        string id = Guid.CreateVersion7().ToString("D");
        return new OutgoingMessage(id, topic, Encoding.UTF8.GetBytes(id.PadRight(size, '.')), "cam-1", 1, false);
    }

    /// <summary>Polls a condition; the cap only guards against a hang.</summary>
    private static async Task UntilAsync(Func<bool> condition)
    {
        CancellationToken cap = MqttTestSubscriber.Cap();
        while (!condition())
        {
            await Task.Delay(20, cap);
        }
    }
}
