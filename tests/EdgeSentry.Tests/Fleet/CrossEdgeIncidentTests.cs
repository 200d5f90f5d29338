using System.Text;
using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Routing;
using EdgeSentry.Rules;
using EdgeSentry.Tests.Peers;
using EdgeSentry.Tests.Routing;
using EdgeSentry.Tests.Rules;
using static EdgeSentry.Tests.Rules.RuleScenario;

namespace EdgeSentry.Tests.Fleet;

/// <summary>
/// Issue 14, "everything an edge publishes is addressable per edge": two boxes configured alike (camera cam-1 in
/// cell-a, the same intrusion rule, the same unit) on one real mosquitto. Their rule engines see the same frames at
/// the same wall-clock times, so without the edge id they mint the very same incident id; with it, their alerts,
/// incident ids and state topics differ, and a unit's ack for one box's incident is applied by that box only.
/// </summary>
public sealed class CrossEdgeIncidentTests : IAsyncLifetime
{
    private static readonly UnitDefinition[] Units = [new("u-gate", "Gate team", "cell-a")];
    private readonly string _directory = Directory.CreateTempSubdirectory("edgesentry-cross-").FullName;
    private MosquittoBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task TwoEdgesSameCameraAndRule_OneBroker_DistinctTopicsAndIdsAndAckAppliedByItsOwnEdgeOnly()
    {
        CancellationToken cap = MqttTestSubscriber.Cap(60);
        // The shared subscriber checks every message against the contract (asyncapi.yaml 3.0.0) as well.
        await using var observer = await MqttTestSubscriber.StartAsync(_broker, "edgesentry/v1/#");
        await using var phone = new MqttConnection(new MqttConnectionOptions { Host = _broker.Host, Port = _broker.Port, ClientId = "phone-u-gate" });
        await phone.ConnectAsync(cap);
        await phone.PublishAsync(AlertTopics.UnitStatus("u-gate"), RoutingFixture.StatusJson(true, DateTimeOffset.UtcNow), 1, retain: true, cap);

        DateTimeOffset wallStart = DateTimeOffset.UtcNow;
        IncidentEvent legacyA = StartedIncident(wallStart, edgeId: null);
        IncidentEvent legacyB = StartedIncident(wallStart, edgeId: null);
        IncidentEvent incidentA = StartedIncident(wallStart, "edge-a");
        IncidentEvent incidentB = StartedIncident(wallStart, "edge-b");
        // The collision this guards against: ids without the edge id are equal for the two boxes.
        Assert.Equal(legacyA.IncidentId, legacyB.IncidentId);
        Assert.Equal("edge-a:" + legacyA.IncidentId, incidentA.IncidentId);
        Assert.Equal("edge-b:" + legacyB.IncidentId, incidentB.IncidentId);

        await using var edgeA = await Edge.StartAsync("edge-a", _broker, Path.Combine(_directory, "a.db"), cap);
        await using var edgeB = await Edge.StartAsync("edge-b", _broker, Path.Combine(_directory, "b.db"), cap);
        // Both serve cell-a, so both subscribe to u-gate and both hear every ack it publishes.
        await UntilAsync(
            () => edgeA.Router.StatusCount(InputOutcome.Accepted) == 1 && edgeB.Router.StatusCount(InputOutcome.Accepted) == 1,
            () => $"unit statuses accepted: edge-a {edgeA.Router.StatusCount(InputOutcome.Accepted)}, edge-b {edgeB.Router.StatusCount(InputOutcome.Accepted)}",
            cap);

        IReadOnlyList<OutgoingMessage> sentA = await edgeA.Router.RouteAsync(incidentA, cancellationToken: cap);
        IReadOnlyList<OutgoingMessage> sentB = await edgeB.Router.RouteAsync(incidentB, cancellationToken: cap);

        string alertsA = AlertTopics.Alerts("cell-a", "edge-a", "cam-1");
        string alertsB = AlertTopics.Alerts("cell-a", "edge-b", "cam-1");
        Assert.Equal([alertsA, AlertTopics.UnitAlerts("u-gate"), AlertTopics.IncidentState("edge-a", incidentA.IncidentId)], sentA.Select(m => m.Topic));
        Assert.Equal([alertsB, AlertTopics.UnitAlerts("u-gate"), AlertTopics.IncidentState("edge-b", incidentB.IncidentId)], sentB.Select(m => m.Topic));
        Assert.NotEqual(sentA[2].Topic, sentB[2].Topic);

        // On the broker: each box's alert on its own topic, carrying its own id, and both dispatched to the same unit.
        List<MqttMessage> alerts = await observer.CollectAsync(2, m => m.Topic.StartsWith(AlertTopics.Root + "/alerts/", StringComparison.Ordinal), cap);
        Assert.Equal([alertsA, alertsB], alerts.Select(m => m.Topic).Order(StringComparer.Ordinal));
        Assert.Equal(
            [("edge-a", incidentA.IncidentId), ("edge-b", incidentB.IncidentId)],
            alerts.Select(m => (Field(m, "edgeId"), Field(m, "incidentId"))).Order());
        Assert.Equal(LoopState.Dispatched, (await edgeA.Router.FindAsync(incidentA.IncidentId, cap))!.State);
        Assert.Equal(LoopState.Dispatched, (await edgeB.Router.FindAsync(incidentB.IncidentId, cap))!.State);
        Assert.Null(await edgeB.Router.FindAsync(incidentA.IncidentId, cap));

        // The unit accepts edge-a's incident. Both boxes receive the ack; only edge-a holds an incident of that id.
        await phone.PublishAsync(AlertTopics.UnitAcks("u-gate"), RoutingFixture.AckJson(incidentA.IncidentId, "accepted", DateTimeOffset.UtcNow), 1, retain: false, cap);
        await UntilAsync(
            () => edgeA.Router.AckCount(InputOutcome.Accepted) == 1 && edgeB.Router.AckCount(InputOutcome.UnknownIncident) == 1,
            () => Acks(edgeA, edgeB),
            cap);

        MqttMessage accepted = await observer.WaitForAsync(m => m.Topic == AlertTopics.IncidentState("edge-a", incidentA.IncidentId) && !m.Payload.IsEmpty && Field(m, "state") == "accepted", cap);
        Assert.Equal("edge-a", Field(accepted, "edgeId"));
        Assert.Equal(LoopState.Accepted, (await edgeA.Router.FindAsync(incidentA.IncidentId, cap))!.State);
        Assert.Equal(LoopState.Dispatched, (await edgeB.Router.FindAsync(incidentB.IncidentId, cap))!.State);
        Assert.Equal(0, edgeB.Router.AckCount(InputOutcome.Accepted));
        Assert.Equal(0, edgeA.Router.AckCount(InputOutcome.UnknownIncident));
    }

    /// <summary>A person walks into cell-a's gate zone on cam-1: the real rule engine mints the started incident.</summary>
    private static IncidentEvent StartedIncident(DateTimeOffset wallStart, string? edgeId)
    {
        var rules = new CameraRulesDefinition
        {
            Zones = [new ZoneDefinition { Id = "gate", Polygon = Square(0.5, 0.5, 0.9, 0.9) }],
            Rules = [new RuleDefinition { Id = "gate-intrusion", Kind = "intrusion", Zone = "gate", Classes = ["person"], HoldSeconds = 2 }],
        };
        var scenario = new RuleScenario(rules, wallStart, cameraId: "cam-1", edgeId: edgeId);
        scenario.Run(0, 3, 0.1, _ => [At(0.7, 0.7)]);
        return Assert.Single(scenario.Sink.Of(IncidentTransition.Started));
    }

    private static string Field(MqttMessage message, string name)
    {
        using JsonDocument doc = JsonDocument.Parse(message.Payload);
        return doc.RootElement.GetProperty(name).GetString()!;
    }

    /// <summary>Waits for what the broker delivered to be handled; the token is only a hang guard, reported with <paramref name="state"/>.</summary>
    private static async Task UntilAsync(Func<bool> condition, Func<string> state, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            try
            {
                await Task.Delay(10, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("gave up waiting: " + state());
            }
        }
    }

    private static string Acks(Edge a, Edge b) =>
        $"edge-a acks accepted {a.Router.AckCount(InputOutcome.Accepted)} unknown {a.Router.AckCount(InputOutcome.UnknownIncident)}; "
        + $"edge-b acks accepted {b.Router.AckCount(InputOutcome.Accepted)} unknown {b.Router.AckCount(InputOutcome.UnknownIncident)}";

    /// <summary>One box's alert line with routing: outbox, builder, router and publisher, as the service wires them.</summary>
    private sealed class Edge : IAsyncDisposable
    {
        private readonly AlertOutbox _outbox;
        private readonly AlertPublisher _publisher;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _sending;
        private readonly Task _routing;

        private Edge(AlertOutbox outbox, IncidentRouter router, AlertPublisher publisher)
        {
            _outbox = outbox;
            Router = router;
            _publisher = publisher;
            _sending = publisher.RunAsync(_stop.Token);
            _routing = router.RunAsync(publisher.Connection, _stop.Token);
        }

        public IncidentRouter Router { get; }

        public static async Task<Edge> StartAsync(string edgeId, MosquittoBroker broker, string database, CancellationToken cancellationToken)
        {
            GridMap map = GridMap.Parse(Encoding.UTF8.GetBytes(RoutingFixture.GeoJson()), "test-grid.geojson");
            var outbox = AlertOutbox.Open(new OutboxOptions { DatabasePath = database, SurvivePowerLoss = false });
            var builder = new IncidentMessageBuilder(edgeId, [new AlertCamera("cam-1", "Gate camera", "cell-a")]);
            var router = new IncidentRouter(map, new UnitRoster(Units, TimeSpan.FromMinutes(10)), [new RoutedCamera("cam-1", "cell-a", null)], new RoutingOptions(), builder, outbox);
            var publisher = new AlertPublisher(
                new MqttConnectionOptions { Host = broker.Host, Port = broker.Port, ClientId = edgeId, ReconnectDelayMax = TimeSpan.FromSeconds(1) },
                builder,
                outbox);
            await publisher.StartAsync(cancellationToken);
            return new Edge(outbox, router, publisher);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _sending);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _routing);
            await _publisher.StopAsync();
            await _publisher.DisposeAsync();
            Router.Dispose();
            await _outbox.DisposeAsync();
            _stop.Dispose();
        }
    }
}
