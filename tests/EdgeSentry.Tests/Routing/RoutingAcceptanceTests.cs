using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Routing;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Routing;

/// <summary>
/// Issue 6 acceptance 3 over a real mosquitto: three units at known positions, one off duty; the alert goes to the
/// nearest on-duty unit, then (no acceptance within the SLA, fake clock) to the next with a higher level; an ack
/// from a unit the incident was not dispatched to is rejected and counted. Every message seen on the broker is
/// checked against its schema.
/// </summary>
public sealed class RoutingAcceptanceTests : IAsyncLifetime
{
    private static readonly UnitDefinition[] ThreeUnits = [.. RoutingFixture.Units.Take(3)];
    private MosquittoBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task RunAsync_ThreeUnitsOneOffDuty_NearestThenNextAfterSlaAndForeignAckRejected()
    {
        await using var f = await RoutingFixture.CreateAsync(units: ThreeUnits);
        await using var observer = await MqttTestSubscriber.StartAsync(_broker, "edgesentry/v1/#");
        await using var phones = new MqttConnection(new MqttConnectionOptions { Host = _broker.Host, Port = _broker.Port, ClientId = "phones" });
        await phones.ConnectAsync(MqttTestSubscriber.Cap());
        DateTimeOffset now = f.Time.GetUtcNow();
        await phones.PublishAsync("edgesentry/v1/units/u-near/status", RoutingFixture.StatusJson(false, now, new GeoPoint(31.205, 121.406)), 1, retain: true);
        await phones.PublishAsync("edgesentry/v1/units/u-mid/status", RoutingFixture.StatusJson(true, now), 1, retain: true);
        await phones.PublishAsync("edgesentry/v1/units/u-far/status", RoutingFixture.StatusJson(true, now), 1, retain: true);

        await using var publisher = new AlertPublisher(
            new MqttConnectionOptions { Host = _broker.Host, Port = _broker.Port, ClientId = "edge-r", ReconnectDelayMax = TimeSpan.FromSeconds(1) },
            f.Builder, f.Outbox, f.Time);
        await publisher.StartAsync(MqttTestSubscriber.Cap());
        using var stop = new CancellationTokenSource();
        Task sending = publisher.RunAsync(stop.Token);
        Task routing = f.Router.RunAsync(publisher.Connection, stop.Token);
        var seen = new List<MqttMessage>();
        try
        {
            // The retained statuses reach the router through its subscription.
            await UntilAsync(() => f.Router.StatusCount(InputOutcome.Accepted) == 3);

            await f.Router.RouteAsync(f.Incident());
            MqttMessage first = await NextOnAsync(observer, seen, "edgesentry/v1/units/u-mid/alerts");
            Assert.Equal("dispatched", Json(first).GetProperty("event").GetString());

            await phones.PublishAsync("edgesentry/v1/units/u-near/acks", RoutingFixture.AckJson("inc-1", "accepted", now), 1, retain: false);
            await UntilAsync(() => f.Router.AckCount(InputOutcome.NotDispatched) == 1);

            f.Time.Advance(TimeSpan.FromSeconds(300));
            MqttMessage second = await NextOnAsync(observer, seen, "edgesentry/v1/units/u-far/alerts");
            JsonElement redispatch = Json(second);
            Assert.Equal("dispatched", redispatch.GetProperty("event").GetString());
            Assert.Equal(2, redispatch.GetProperty("level").GetInt32());
            Assert.Equal("escalated", redispatch.GetProperty("reason").GetString());

            await phones.PublishAsync("edgesentry/v1/units/u-far/acks", RoutingFixture.AckJson("inc-1", "accepted", f.Time.GetUtcNow()), 1, retain: false);
            MqttMessage accepted = await NextOnAsync(observer, seen, RoutingFixture.IncidentState("inc-1"), m => Json(m).GetProperty("state").GetString() == "accepted");
            Assert.Equal("u-far", Json(accepted).GetProperty("unitId").GetString());
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => routing);
        }

        Assert.Equal(1, f.Router.AckCount(InputOutcome.NotDispatched));
        Assert.Equal(1, f.Router.AckCount(InputOutcome.Accepted));
        Assert.Contains(seen, m => m.Topic == RoutingFixture.CameraAlerts);
        Assert.Contains(seen, m => m.Topic == "edgesentry/v1/units/u-mid/alerts" && Json(m).GetProperty("event").GetString() == "withdrawn");
        foreach (MqttMessage m in seen)
        {
            string[] levels = m.Topic.Split('/');
            switch (levels)
            {
                case [_, _, "units", _, "status"]:
                    Assert.Empty(RoutingFixture.StatusSchema.Validate(m.Payload.Span));
                    break;
                case [_, _, "units", _, "acks"]:
                    Assert.Empty(RoutingFixture.AckSchema.Validate(m.Payload.Span));
                    break;
                case [_, _, "edges", ..]:
                    break;
                default:
                    RoutingFixture.Validated(m.Topic, m.Payload.Span);
                    break;
            }
        }
    }

    private static JsonElement Json(MqttMessage m)
    {
        using JsonDocument doc = JsonDocument.Parse(m.Payload);
        return doc.RootElement.Clone();
    }

    private static async Task<MqttMessage> NextOnAsync(MqttTestSubscriber observer, List<MqttMessage> seen, string topic, Func<MqttMessage, bool>? match = null)
    {
        CancellationToken cap = MqttTestSubscriber.Cap();
        while (true)
        {
            MqttMessage m = await observer.NextAsync(cap);
            seen.Add(m);
            if (m.Topic == topic && (match is null || match(m)))
            {
                return m;
            }
        }
    }

    /// <summary>Waits for the router to have handled what the broker delivered to it; bounded by the usual cap.</summary>
    private static async Task UntilAsync(Func<bool> condition)
    {
        CancellationToken cap = MqttTestSubscriber.Cap();
        while (!condition())
        {
            await Task.Delay(10, cap);
        }
    }
}
