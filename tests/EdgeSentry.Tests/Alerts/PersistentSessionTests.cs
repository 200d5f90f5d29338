using EdgeSentry.Alerts;
using EdgeSentry.Routing;
using EdgeSentry.Tests.Peers;
using EdgeSentry.Tests.Routing;

namespace EdgeSentry.Tests.Alerts;

/// <summary>
/// Acceptance: an acknowledgement a unit publishes while the edge's connection is cut (the broker stays up) is
/// queued in the edge's persistent session and applied after the edge reconnects.
/// </summary>
public sealed class PersistentSessionTests : IAsyncLifetime
{
    private MosquittoBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task RunAsync_AckPublishedWhileEdgeCut_AppliedAfterReconnect()
    {
        await using var f = await RoutingFixture.CreateAsync(units: [.. RoutingFixture.Units.Take(3)]);
        await using var phones = new MqttConnection(new MqttConnectionOptions { Host = _broker.Host, Port = _broker.Port, ClientId = "phones", CleanStart = true });
        await phones.ConnectAsync(MqttTestSubscriber.Cap());
        DateTimeOffset now = f.Time.GetUtcNow();
        foreach (UnitDefinition unit in RoutingFixture.Units.Take(3))
        {
            await phones.PublishAsync($"edgesentry/v1/units/{unit.Id}/status", RoutingFixture.StatusJson(true, now), 1, retain: true);
        }

        await using var relay = new TcpRelay(_broker.Host, _broker.Port);
        await using var publisher = new AlertPublisher(
            new MqttConnectionOptions { Host = relay.Host, Port = relay.Port, ClientId = "edge-session", ReconnectDelay = TimeSpan.FromMilliseconds(200), ReconnectDelayMax = TimeSpan.FromMilliseconds(500) },
            f.Builder, f.Outbox, f.Time);
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        publisher.Connection.StateChanged += (_, e) =>
        {
            if (!e.Connected)
            {
                lost.TrySetResult();
            }
            else if (e.IsReconnect)
            {
                back.TrySetResult();
            }
        };
        await publisher.StartAsync(MqttTestSubscriber.Cap());
        using var stop = new CancellationTokenSource();
        Task sending = publisher.RunAsync(stop.Token);
        Task routing = f.Router.RunAsync(publisher.Connection, stop.Token);
        try
        {
            await UntilAsync(() => f.Router.StatusCount(InputOutcome.Accepted) == 3);
            IReadOnlyList<OutgoingMessage> routed = await f.Router.RouteAsync(f.Incident());
            await f.Outbox.WaitUntilEmptyAsync(MqttTestSubscriber.Cap());
            string unitId = RoutingFixture.Validated(routed.Single(m => m.Topic.StartsWith("edgesentry/v1/units/", StringComparison.Ordinal))).GetProperty("unitId").GetString()!;

            // The uplink dies: no DISCONNECT, and no way back until it is restored.
            relay.Pause();
            Assert.Equal(1, relay.CutAll());
            await lost.Task.WaitAsync(MqttTestSubscriber.Cap());
            await phones.PublishAsync($"edgesentry/v1/units/{unitId}/acks", RoutingFixture.AckJson("inc-1", "accepted", now), 1, retain: false, MqttTestSubscriber.Cap());
            Assert.Equal(0, f.Router.AckCount(InputOutcome.Accepted));
            relay.Resume();
            // The reconnect backoff runs on the fixture's manual clock: move it until the edge is back.
            CancellationToken cap = MqttTestSubscriber.Cap();
            while (!back.Task.IsCompleted)
            {
                f.Time.Advance(TimeSpan.FromSeconds(1));
                await Task.WhenAny(back.Task, Task.Delay(50, cap));
            }

            await UntilAsync(() => f.Router.AckCount(InputOutcome.Accepted) == 1);
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => routing);
        }

        Assert.Equal(1, f.Router.AckCount(InputOutcome.Accepted));
        Assert.Equal(1, publisher.Connection.Reconnects);
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        CancellationToken cap = MqttTestSubscriber.Cap();
        while (!condition())
        {
            await Task.Delay(10, cap);
        }
    }
}
