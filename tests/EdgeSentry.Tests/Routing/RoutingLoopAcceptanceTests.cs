using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Routing;
using EdgeSentry.Tests.Peers;
using Xunit.Abstractions;

namespace EdgeSentry.Tests.Routing;

/// <summary>
/// Issue 11 acceptance over a real mosquitto: clock jumps of ±25 h lose no queued alert and escalate nothing early;
/// a resolved incident's retained state is gone from the broker; the retained state carries its MQTT 5 message expiry
/// and the broker drops it once that passes. (The 70 s outage against a 60 s SLA is RoutingSlaOutageTests.)
/// </summary>
public sealed class RoutingLoopAcceptanceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private MosquittoBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync(persistent: true);

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Theory]
    [InlineData(25)]
    [InlineData(-25)]
    public async Task Outbox_WallClockJumpsWhileAlertsQueued_EveryAlertDeliveredAndNoEarlyEscalation(int hours)
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();
        var stored = new List<OutgoingMessage>();
        for (int n = 0; n < 20; n++)
        {
            stored.AddRange(await f.Router.RouteAsync(f.Incident($"inc-{n}")));
        }

        // The clock steps while everything waits in the outbox (maxAge is one day by default).
        f.Time.JumpWallClock(TimeSpan.FromHours(hours));
        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "edgesentry/v1/#");
        await using var publisher = new AlertPublisher(
            new MqttConnectionOptions { Host = _broker.Host, Port = _broker.Port, ClientId = "edge-jump", ReconnectDelayMax = TimeSpan.FromSeconds(1) },
            f.Builder, f.Outbox, f.Time);
        await publisher.StartAsync(MqttTestSubscriber.Cap());
        using var stop = new CancellationTokenSource();
        Task sending = publisher.RunAsync(stop.Token);
        try
        {
            var wanted = stored.Select(m => m.MessageId).ToHashSet(StringComparer.Ordinal);
            CancellationToken cap = MqttTestSubscriber.Cap(60);
            while (wanted.Count > 0)
            {
                MqttMessage m = await subscriber.NextAsync(cap);
                if (m.Payload.Length > 0 && m.Payload.Span[0] == (byte)'{')
                {
                    using JsonDocument doc = JsonDocument.Parse(m.Payload);
                    if (doc.RootElement.TryGetProperty("messageId", out JsonElement id))
                    {
                        wanted.Remove(id.GetString()!);
                    }
                }
            }

            await f.Outbox.WaitUntilEmptyAsync(MqttTestSubscriber.Cap());
            Assert.Equal(0, f.Outbox.DroppedExpired);
            // Every dispatch was delivered, so every SLA (300 s at level 1) runs; the jump counts for nothing.
            Assert.Empty(await f.Router.ExpireDueAsync());
            f.Time.JumpWallClock(TimeSpan.FromHours(hours));
            Assert.Empty(await f.Router.ExpireDueAsync());
            f.Time.Advance(TimeSpan.FromSeconds(299));
            Assert.Empty(await f.Router.ExpireDueAsync());
            Assert.Equal(0, f.Router.Escalations);
            f.Time.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(20, (await f.Router.ExpireDueAsync()).Count(m => m.Topic.EndsWith("/state", StringComparison.Ordinal)));
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        }
    }

    [Fact]
    public async Task HandleAsync_Resolved_RetainedStateGoneFromTheBroker()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();
        await using var publisher = new AlertPublisher(
            new MqttConnectionOptions { Host = _broker.Host, Port = _broker.Port, ClientId = "edge-retain", ReconnectDelayMax = TimeSpan.FromSeconds(1) },
            f.Builder, f.Outbox, f.Time);
        await publisher.StartAsync(MqttTestSubscriber.Cap());
        using var stop = new CancellationTokenSource();
        Task sending = publisher.RunAsync(stop.Token);
        try
        {
            await f.Router.RouteAsync(f.Incident("inc-kept"));
            await f.Router.RouteAsync(f.Incident("inc-done"));
            await f.Outbox.WaitUntilEmptyAsync(MqttTestSubscriber.Cap());
            Assert.Equal(InputOutcome.Accepted, await f.AckAsync("u-near", "inc-done", "accepted"));
            Assert.Equal(InputOutcome.Accepted, await f.AckAsync("u-near", "inc-done", "resolved"));
            await f.Outbox.WaitUntilEmptyAsync(MqttTestSubscriber.Cap());

            // A late subscriber sees what the broker retains: the open incident's state, nothing for the resolved one.
            await using var late = await MqttTestSubscriber.StartAsync(_broker, "edgesentry/v1/incidents/+/+/state");
            MqttMessage kept = await late.NextAsync(MqttTestSubscriber.Cap());
            Assert.Equal(RoutingFixture.IncidentState("inc-kept"), kept.Topic);
            Assert.True(kept.Retain);
            // A marker published after the subscription proves the retained burst is over (empty, not retained: the
            // contract's "no state" message, so the validating subscriber accepts it).
            await publisher.Connection.PublishAsync(RoutingFixture.IncidentState("marker"), Array.Empty<byte>(), 1, retain: false);
            MqttMessage next = await late.NextAsync(MqttTestSubscriber.Cap());
            Assert.Equal(RoutingFixture.IncidentState("marker"), next.Topic);
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        }
    }

    [Fact]
    public async Task RouteAsync_StateExpiryPasses_BrokerCarriesTheExpiryAndThenForgetsTheState()
    {
        // routing.stateExpirySeconds, short (the configuration allows 60 s at least; the option itself, 1 s).
        TimeSpan expiry = TimeSpan.FromSeconds(5);
        await using var f = await RoutingFixture.CreateAsync(new RoutingOptions { StateExpiry = expiry });
        await f.OnDutyAsync();
        await using var publisher = new AlertPublisher(
            new MqttConnectionOptions { Host = _broker.Host, Port = _broker.Port, ClientId = "edge-expiry", ReconnectDelayMax = TimeSpan.FromSeconds(1) },
            f.Builder, f.Outbox, f.Time);
        await publisher.StartAsync(MqttTestSubscriber.Cap());
        using var stop = new CancellationTokenSource();
        Task sending = publisher.RunAsync(stop.Token);
        try
        {
            // Started before the state is even stored: the time it is measured to stay at the broker is never short.
            var held = Stopwatch.StartNew();
            await f.Router.RouteAsync(f.Incident("inc-expiring"));
            await f.Outbox.WaitUntilEmptyAsync(MqttTestSubscriber.Cap());
            string topic = RoutingFixture.IncidentState("inc-expiring");

            // An independent MQTT 5 client connecting now gets the retained state with its Message Expiry Interval
            // (%E), counted down by the broker by the time the state waited there.
            CliProcess.Result sub = await CliProcess.RunAsync(
                "mosquitto_sub",
                ["-V", "mqttv5", "-h", _broker.Host, "-p", _broker.Port.ToString(CultureInfo.InvariantCulture), "-t", topic, "-C", "1", "-W", "20", "-F", "%r|%E|%t"],
                capSeconds: 30);
            Assert.True(sub.ExitCode == 0, $"mosquitto_sub (apt-get install mosquitto-clients) got nothing: exit {sub.ExitCode} {sub.Stderr}");
            string[] fields = sub.Stdout.Trim().Split('|');
            Assert.Equal(["1", topic], [fields[0], fields[2]]);
            Assert.True(fields[1].Length > 0, "the retained state reached the subscriber without a Message Expiry Interval");
            int remaining = int.Parse(fields[1], CultureInfo.InvariantCulture);
            Assert.InRange(remaining, 1, (int)expiry.TotalSeconds);

            // Then a new subscriber after the expiry gets no retained state: probe until the broker forgets it.
            Assert.True(await RetainedAsync(topic), "the state was not retained at first");
            CancellationToken cap = MqttTestSubscriber.Cap(60);
            while (await RetainedAsync(topic))
            {
                await Task.Delay(250, cap);
            }

            TimeSpan gone = held.Elapsed;
            output.WriteLine($"expiry {expiry.TotalSeconds} s: a new subscriber saw Message Expiry Interval {remaining} s; the retained state was gone {gone.TotalSeconds:F2} s after it was routed");
            // Not earlier than the expiry: mosquitto keeps expiry times in whole seconds of its clock, so the state
            // may go up to one second before the full interval.
            Assert.True(gone >= expiry - TimeSpan.FromSeconds(1), $"the state was gone {gone} after the broker had it; its expiry is {expiry}");
            // And the edge did not clear it: the loop is still open (dispatched, nothing ended or resolved).
            Assert.Equal(LoopState.Dispatched, (await f.Router.FindAsync("inc-expiring"))!.State);
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        }
    }

    /// <summary>
    /// Whether a subscriber connecting now gets a retained message on <paramref name="topic"/>: a marker published
    /// (empty, not retained) after the subscription proves the retained burst is over when it arrives first.
    /// </summary>
    private async Task<bool> RetainedAsync(string topic)
    {
        await using var probe = await MqttTestSubscriber.StartAsync(_broker, topic);
        await probe.Connection.PublishAsync(topic, Array.Empty<byte>(), 1, retain: false);
        MqttMessage first = await probe.NextAsync(MqttTestSubscriber.Cap());
        return first.Retain && first.Payload.Length > 0;
    }
}
