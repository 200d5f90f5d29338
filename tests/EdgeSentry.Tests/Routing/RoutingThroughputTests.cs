using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Tests.Peers;
using Xunit.Abstractions;

namespace EdgeSentry.Tests.Routing;

/// <summary>
/// Issue 6 acceptance 5: 10,000 incidents routed (camera alert + unit dispatch + state each) through the outbox and a
/// real broker. Prints the rates and the publish latency (enqueue to PUBACK); asserts delivery, never a time.
/// </summary>
[Collection(ExclusiveCollection.Name)]
public sealed class RoutingThroughputTests : IAsyncLifetime
{
    private readonly ITestOutputHelper _output;
    private MosquittoBroker _broker = null!;

    public RoutingThroughputTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    [Trait("Category", "Throughput")]
    public async Task RouteAsync_TenThousandIncidents_AllDeliveredAndRatesReported()
    {
        const int incidents = 10_000;
        await using var f = await RoutingFixture.CreateAsync(systemClock: true);
        await f.OnDutyAsync();
        var latencies = new List<double>(3 * incidents);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, f.Outbox.Meter) && instrument.Name == "edgesentry.outbox.publish_latency")
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
        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "edgesentry/v1/#");
        await using var publisher = new AlertPublisher(
            new MqttConnectionOptions { Host = _broker.Host, Port = _broker.Port, ClientId = "edge-bench" }, f.Builder, f.Outbox, f.Clock);
        await publisher.StartAsync(MqttTestSubscriber.Cap());
        using var stop = new CancellationTokenSource();
        Task sending = publisher.RunAsync(stop.Token);

        var clock = Stopwatch.StartNew();
        int messages = 0;
        for (int n = 0; n < incidents; n++)
        {
            messages += (await f.Router.RouteAsync(f.Incident($"inc-{n}", camera: n % 2 == 0 ? "cam-1" : "cam-far"))).Count;
        }

        TimeSpan routed = clock.Elapsed;
        await f.Outbox.WaitUntilEmptyAsync(MqttTestSubscriber.Cap(600));
        TimeSpan acknowledged = clock.Elapsed;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        CancellationToken cap = MqttTestSubscriber.Cap(300);
        while (ids.Count < messages)
        {
            MqttMessage m = await subscriber.NextAsync(cap);
            if (m.Topic.Contains("/edges/", StringComparison.Ordinal))
            {
                continue;
            }

            using JsonDocument doc = JsonDocument.Parse(m.Payload);
            ids.Add(doc.RootElement.GetProperty("messageId").GetString()!);
        }

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        double[] sorted;
        lock (latencies)
        {
            sorted = [.. latencies.Order()];
        }

        _output.WriteLine(
            $"{incidents} incidents -> {messages} messages; routed+stored in {routed.TotalSeconds:0.00} s ({incidents / routed.TotalSeconds:0} incidents/s, " +
            $"{messages / routed.TotalSeconds:0} msg/s); all PUBACKed after {acknowledged.TotalSeconds:0.00} s ({messages / acknowledged.TotalSeconds:0} msg/s); " +
            $"publish latency enqueue->PUBACK p50 {Percentile(sorted, 0.50):0.0} ms, p99 {Percentile(sorted, 0.99):0.0} ms, max {sorted[^1]:0.0} ms");
        Assert.Equal(3 * incidents, messages);
        Assert.Equal(messages, ids.Count);
        Assert.Equal(messages, sorted.Length);
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
