using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using EdgeSentry.Alerts;
using EdgeSentry.Tests.Peers;
using Xunit.Abstractions;

namespace EdgeSentry.Tests.Alerts;

public sealed class AlertOutboxTests : IAsyncLifetime
{
    private readonly ITestOutputHelper _output;
    private readonly string _directory = Directory.CreateTempSubdirectory("edgesentry-outbox-").FullName;
    private MosquittoBroker _broker = null!;

    public AlertOutboxTests(ITestOutputHelper output) => _output = output;

    private string DatabasePath => Path.Combine(_directory, "outbox.db");

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync(persistent: true);

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task RunAsync_StoredMessages_AllDeliveredInOrderAndOutboxEmpties()
    {
        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "outbox-test/#");
        await using AlertOutbox outbox = Open();
        for (int n = 0; n < 50; n++)
        {
            await outbox.EnqueueAsync(Message("cam-1", n));
        }

        Assert.Equal(50, outbox.Depth);
        await using var connection = await ConnectAsync("sender");
        using var run = new CancellationTokenSource();
        Task sending = new OutboxSender(outbox, connection).RunAsync(run.Token);
        await outbox.WaitUntilEmptyAsync(MqttTestSubscriber.Cap());
        List<MqttMessage> received = await subscriber.CollectAsync(50, _ => true, MqttTestSubscriber.Cap());
        await StopAsync(run, sending);

        Assert.Equal(Enumerable.Range(0, 50), received.Select(m => Parse(m).N));
        Assert.Equal(0, outbox.Depth);
    }

    [Fact]
    public async Task EnqueueAsync_BeyondMaxMessages_DropsOldestAndCountsThem()
    {
        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "outbox-test/#");
        await using AlertOutbox outbox = Open(new OutboxOptions { DatabasePath = DatabasePath, MaxMessages = 5 });
        using var metrics = new OutboxMetrics(outbox);

        for (int n = 0; n < 8; n++)
        {
            await outbox.EnqueueAsync(Message("cam-1", n));
        }

        Assert.Equal((5L, 3L), (outbox.Depth, outbox.DroppedForCapacity));
        Assert.Contains("5 of 5 messages", outbox.CapacityFault, StringComparison.Ordinal);
        Assert.Equal(3, metrics.Sum("edgesentry.outbox.dropped", "reason", AlertOutbox.Capacity));
        Assert.Equal(8, metrics.Sum("edgesentry.outbox.enqueued"));
        metrics.Observe();
        Assert.Equal(5, metrics.Last("edgesentry.outbox.depth"));
        await using var connection = await ConnectAsync("sender");
        using var run = new CancellationTokenSource();
        Task sending = new OutboxSender(outbox, connection).RunAsync(run.Token);
        List<MqttMessage> received = await subscriber.CollectAsync(5, _ => true, MqttTestSubscriber.Cap());
        await StopAsync(run, sending);

        Assert.Equal([3, 4, 5, 6, 7], received.Select(m => Parse(m).N));
    }

    [Fact]
    public async Task EnqueueAsync_BeyondMaxBytes_DropsOldestCountedLoggedAndFaultedUntilDrained()
    {
        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "outbox-test/#");
        var log = new ListLogger<AlertOutbox>();
        var options = new OutboxOptions { DatabasePath = DatabasePath, MaxBytes = 10_000 };
        await using (AlertOutbox before = AlertOutbox.Open(options, logger: log))
        {
            using var metrics = new OutboxMetrics(before);
            // Five 2000-byte messages fill the bound exactly: nothing dropped, not at fault.
            for (int n = 0; n < 5; n++)
            {
                await before.EnqueueAsync(Message("cam-1", n, padTo: 2000));
            }

            Assert.Equal((5L, 10_000L, 0L), (before.Depth, before.Bytes, before.DroppedForBytes));
            Assert.Null(before.CapacityFault);

            // Each further message makes the oldest go.
            for (int n = 5; n < 8; n++)
            {
                await before.EnqueueAsync(Message("cam-1", n, padTo: 2000));
            }

            Assert.Equal((5L, 10_000L, 3L, 0L), (before.Depth, before.Bytes, before.DroppedForBytes, before.DroppedForCapacity));
            Assert.Equal(3, metrics.Sum("edgesentry.outbox.dropped", "reason", AlertOutbox.CapacityBytes));
            Assert.Equal(0, metrics.Sum("edgesentry.outbox.dropped", "reason", AlertOutbox.Capacity));
            Assert.Contains("10000 of 10000 payload bytes", before.CapacityFault, StringComparison.Ordinal);
            Assert.Single(log.Lines, l => l.StartsWith("Error 4030 ", StringComparison.Ordinal));
            Assert.Equal(3, log.Lines.Count(l => l.StartsWith("Warning 4031 ", StringComparison.Ordinal)));
        }

        // A restart counts the stored bytes again.
        await using AlertOutbox outbox = AlertOutbox.Open(options, logger: log);
        Assert.Equal((5L, 10_000L), (outbox.Depth, outbox.Bytes));
        await outbox.EnqueueAsync(Message("cam-1", 8, padTo: 2000));
        Assert.Equal((5L, 10_000L, 1L), (outbox.Depth, outbox.Bytes, outbox.DroppedForBytes));
        Assert.NotNull(outbox.CapacityFault);

        await using var connection = await ConnectAsync("sender");
        using var run = new CancellationTokenSource();
        Task sending = new OutboxSender(outbox, connection).RunAsync(run.Token);
        List<MqttMessage> received = await subscriber.CollectAsync(5, _ => true, MqttTestSubscriber.Cap());
        await outbox.WaitUntilEmptyAsync(MqttTestSubscriber.Cap());
        await StopAsync(run, sending);

        Assert.Equal([4, 5, 6, 7, 8], received.Select(m => Parse(m).N));
        Assert.Equal(0, outbox.Bytes);
        Assert.Null(outbox.CapacityFault);
        Assert.Contains(log.Lines, l => l.StartsWith("Information 4032 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_MessageOlderThanMaxAge_DroppedUnsentAndCounted()
    {
        var time = new ManualTimeProvider();
        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "outbox-test/#");
        await using AlertOutbox outbox = AlertOutbox.Open(new OutboxOptions { DatabasePath = DatabasePath, MaxAge = TimeSpan.FromHours(1) }, time);
        using var metrics = new OutboxMetrics(outbox);
        await outbox.EnqueueAsync(Message("cam-1", 0));
        await outbox.EnqueueAsync(Message("cam-1", 1));
        time.Advance(TimeSpan.FromHours(2));
        await outbox.EnqueueAsync(Message("cam-1", 2));

        await using var connection = await ConnectAsync("sender");
        using var run = new CancellationTokenSource();
        Task sending = new OutboxSender(outbox, connection).RunAsync(run.Token);
        await outbox.WaitUntilEmptyAsync(MqttTestSubscriber.Cap());
        MqttMessage only = await subscriber.NextAsync(MqttTestSubscriber.Cap());
        await StopAsync(run, sending);

        Assert.Equal(2, Parse(only).N);
        Assert.Equal(2, outbox.DroppedExpired);
        Assert.Equal(2, metrics.Sum("edgesentry.outbox.dropped", "reason", "expired"));
        Assert.False(subscriber.Connection.Messages.TryRead(out _));
    }

    [Fact]
    public async Task EnqueueAsync_SameMessageIdTwice_StoredOnce()
    {
        await using AlertOutbox outbox = Open();
        OutgoingMessage message = Message("cam-1", 0);

        await outbox.EnqueueAsync(message);
        await outbox.EnqueueAsync(message);

        Assert.Equal(1, outbox.Depth);
    }

    [Fact]
    public async Task RunAsync_SecondSender_Refused()
    {
        await using AlertOutbox outbox = Open();
        await using var connection = await ConnectAsync("sender");
        using var run = new CancellationTokenSource();
        Task sending = new OutboxSender(outbox, connection).RunAsync(run.Token);

        await Assert.ThrowsAsync<InvalidOperationException>(() => new OutboxSender(outbox, connection).RunAsync(run.Token));
        await StopAsync(run, sending);
    }

    [Fact]
    public void Open_MissingDirectory_ThrowsNamingIt()
    {
        string path = Path.Combine(_directory, "nope", "outbox.db");

        var ex = Assert.Throws<DirectoryNotFoundException>(() => AlertOutbox.Open(new OutboxOptions { DatabasePath = path }));

        Assert.Contains(Path.Combine(_directory, "nope"), ex.Message);
    }

    [Fact]
    public async Task Reopen_ProcessEndedWhileBrokerDown_UnacknowledgedMessagesSentByNextRun()
    {
        await _broker.StopAsync();
        await using (AlertOutbox first = Open())
        {
            // The first "process": starts while the broker is down, hands messages to libmosquitto, never gets a PUBACK.
            await using var connection = new MqttConnection(Options("edge-1"));
            connection.StartConnecting();
            using var run = new CancellationTokenSource();
            Task sending = new OutboxSender(first, connection).RunAsync(run.Token);
            for (int n = 0; n < 20; n++)
            {
                await first.EnqueueAsync(Message("cam-" + (n % 2), n));
            }

            await StopAsync(run, sending);
            Assert.Equal(0, connection.Reconnects);
            Assert.False(connection.IsConnected);
        }

        await _broker.StartAgainAsync();
        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "outbox-test/#");
        await using AlertOutbox second = Open();
        Assert.Equal(20, second.Depth);
        await using var again = new MqttConnection(Options("edge-1"));
        again.StartConnecting();
        using var run2 = new CancellationTokenSource();
        Task sending2 = new OutboxSender(second, again).RunAsync(run2.Token);
        await second.WaitUntilEmptyAsync(MqttTestSubscriber.Cap());
        List<MqttMessage> received = await subscriber.CollectAsync(20, _ => true, MqttTestSubscriber.Cap());
        await StopAsync(run2, sending2);

        Assert.Equal(Enumerable.Range(0, 20), received.Select(m => Parse(m).N));
    }

    [Fact]
    [Trait("Category", "Outage")]
    public async Task RunAsync_BrokerStoppedTenSecondsWhilePublishing_EveryMessageArrivesInOrderPerCamera()
    {
        const int total = 1500;
        const int cameras = 3;
        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "outbox-test/#", persistentSession: true);
        await using AlertOutbox outbox = Open();
        await using var connection = await ConnectAsync("edge-outage");
        using var run = new CancellationTokenSource();
        Task sending = new OutboxSender(outbox, connection).RunAsync(run.Token);

        int produced = 0;
        var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task producer = Task.Run(async () =>
        {
            // About 100 incidents a second, so the outage happens in the middle of a steady stream.
            for (int n = 0; n < total; n++)
            {
                await outbox.EnqueueAsync(Message("cam-" + (n % cameras), n));
                Volatile.Write(ref produced, n + 1);
                if (n == 150)
                {
                    halfway.TrySetResult();
                }

                await Task.Delay(10);
            }
        });

        await halfway.Task.WaitAsync(MqttTestSubscriber.Cap());
        await _broker.StopAsync();
        int producedAtStop = Volatile.Read(ref produced);
        await Task.Delay(TimeSpan.FromSeconds(10));
        int producedDuringOutage = Volatile.Read(ref produced) - producedAtStop;
        await _broker.StartAgainAsync();
        await producer.WaitAsync(MqttTestSubscriber.Cap(120));
        await outbox.WaitUntilEmptyAsync(MqttTestSubscriber.Cap(120));

        var firstSeen = new Dictionary<string, (string Camera, int N)>();
        var order = new List<(string Camera, int N)>();
        int duplicates = 0;
        CancellationToken cap = MqttTestSubscriber.Cap(120);
        while (firstSeen.Count < total)
        {
            MqttMessage message = await subscriber.NextAsync(cap);
            var parsed = Parse(message);
            if (firstSeen.TryAdd(parsed.Id, (parsed.Camera, parsed.N)))
            {
                order.Add((parsed.Camera, parsed.N));
            }
            else
            {
                duplicates++;
            }
        }

        await StopAsync(run, sending);
        _output.WriteLine($"produced during the 10 s outage: {producedDuringOutage}; duplicates after dedupe: {duplicates}; reconnects: {connection.Reconnects}");
        Assert.True(producedDuringOutage > 0, "the outage must overlap the stream");
        Assert.True(connection.Reconnects >= 1);
        for (int c = 0; c < cameras; c++)
        {
            string camera = "cam-" + c;
            Assert.Equal(
                Enumerable.Range(0, total).Where(n => n % cameras == c),
                order.Where(o => o.Camera == camera).Select(o => o.N));
        }
    }

    /// <summary>
    /// Prints throughput figures (no timing assertions: the machine is shared). "flood" enqueues one message per
    /// transaction while the sender runs; "drain" stores all 10,000 first (batches of 100) and then measures how
    /// fast the sender empties the outbox. Latency is enqueue to PUBACK, from the outbox's own histogram.
    /// </summary>
    [Fact]
    [Trait("Category", "Throughput")]
    public async Task Throughput_TenThousandMessages_AllDeliveredAndRatesReported()
    {
        const int total = 10_000;
        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "outbox-test/#");
        foreach ((bool survivePowerLoss, bool drain) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            string path = Path.Combine(_directory, $"throughput-{survivePowerLoss}-{drain}.db");
            await using AlertOutbox outbox = AlertOutbox.Open(new OutboxOptions { DatabasePath = path, SurvivePowerLoss = survivePowerLoss });
            var latencies = new List<double>(total);
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, outbox.Meter) && instrument.Name == "edgesentry.outbox.publish_latency")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
            {
                lock (latencies)
                {
                    latencies.Add(value * 1000); // recorded in seconds, printed in ms
                }
            });
            listener.Start();
            await using var connection = await ConnectAsync($"bench-{survivePowerLoss}-{drain}");
            using var run = new CancellationTokenSource();
            OutgoingMessage[] messages = [.. Enumerable.Range(0, total).Select(n => Message("cam-" + (n % 8), n, padTo: 512))];

            var clock = Stopwatch.StartNew();
            Task sending = drain ? Task.CompletedTask : new OutboxSender(outbox, connection).RunAsync(run.Token);
            if (drain)
            {
                foreach (OutgoingMessage[] chunk in messages.Chunk(100))
                {
                    await outbox.EnqueueAsync(chunk);
                }
            }
            else
            {
                foreach (OutgoingMessage message in messages)
                {
                    await outbox.EnqueueAsync(message);
                }
            }

            TimeSpan enqueued = clock.Elapsed;
            if (drain)
            {
                clock.Restart();
                sending = new OutboxSender(outbox, connection).RunAsync(run.Token);
            }

            await outbox.WaitUntilEmptyAsync(MqttTestSubscriber.Cap(300));
            TimeSpan acknowledged = clock.Elapsed;
            List<MqttMessage> received = await subscriber.CollectAsync(total, _ => true, MqttTestSubscriber.Cap(300));
            await StopAsync(run, sending);

            double[] sorted;
            lock (latencies)
            {
                sorted = [.. latencies.Order()];
            }

            string mode = $"{(drain ? "drain" : "flood")}, synchronous={(survivePowerLoss ? "FULL" : "NORMAL")}";
            _output.WriteLine(drain
                ? $"{mode}: {total} x 512 B, batch enqueue {total / enqueued.TotalSeconds:0} msg/s, drain to last PUBACK {total / acknowledged.TotalSeconds:0} msg/s ({acknowledged.TotalSeconds:0.00} s)"
                : $"{mode}: {total} x 512 B, enqueue {total / enqueued.TotalSeconds:0} msg/s, first enqueue to last PUBACK {total / acknowledged.TotalSeconds:0} msg/s ({acknowledged.TotalSeconds:0.00} s), "
                    + $"latency p50 {Percentile(sorted, 0.50):0.0} ms, p99 {Percentile(sorted, 0.99):0.0} ms, max {sorted[^1]:0.0} ms");
            Assert.Equal(total, received.Select(m => Parse(m).Id).Distinct().Count());
            Assert.Equal(total, sorted.Length);
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private AlertOutbox Open(OutboxOptions? options = null) => AlertOutbox.Open(options ?? new OutboxOptions { DatabasePath = DatabasePath });

    private MqttConnectionOptions Options(string clientId) => new()
    {
        Host = _broker.Host,
        Port = _broker.Port,
        ClientId = clientId,
        ReconnectDelayMax = TimeSpan.FromSeconds(1),
    };

    private async Task<MqttConnection> ConnectAsync(string clientId)
    {
        var connection = new MqttConnection(Options(clientId));
        await connection.ConnectAsync(MqttTestSubscriber.Cap());
        return connection;
    }

    private static async Task StopAsync(CancellationTokenSource run, Task sending)
    {
        await run.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
    }

    /// <summary>
    /// An opaque message for the outbox's own mechanics, on a test-only topic tree: it is not a contract payload, and
    /// everything on edgesentry/v1/... must validate against asyncapi.yaml.
    /// </summary>
    private static OutgoingMessage Message(string camera, int n, int padTo = 0)
    {
        string id = Guid.CreateVersion7().ToString("D");
        string text = $"{id}|{camera}|{n}|";
        return new OutgoingMessage(id, $"outbox-test/alerts/grid-1/{camera}", Encoding.UTF8.GetBytes(text.PadRight(padTo, '.')), camera, 1, false);
    }

    private static (string Id, string Camera, int N) Parse(MqttMessage message)
    {
        string[] parts = Encoding.UTF8.GetString(message.Payload.Span).Split('|');
        return (parts[0], parts[1], int.Parse(parts[2]));
    }
}
