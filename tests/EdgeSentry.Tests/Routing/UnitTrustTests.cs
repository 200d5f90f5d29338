using System.Text;
using EdgeSentry.Alerts;
using EdgeSentry.Routing;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Routing;

/// <summary>
/// Trust at the broker, with a real mosquitto: every unit and the edge have their own identity (password file made
/// with mosquitto_passwd) under deploy/mosquitto/centre.acl, and each edge subscribes only to the units it serves.
/// </summary>
public sealed class UnitTrustTests
{
    private const string Password = "test-secret-1";

    private static readonly UnitDefinition[] AclUnits =
    [
        new("unit-7", "Team 7", "cell-a", new GeoPoint(31.205, 121.406)),
        new("unit-8", "Team 8", "cell-a", new GeoPoint(31.205, 121.407)),
    ];

    [Fact]
    public async Task RunAsync_UnderTheDeployAcl_ForgedAckFromAnotherUnitNeverReachesTheEdgeAndTheGenuineOneDoes()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerSettings
        {
            Users = new Dictionary<string, string> { ["edge-01"] = Password, ["unit-7"] = Password, ["unit-8"] = Password },
            AclFile = Path.Combine(SharedPaths.RepoRoot, "deploy", "mosquitto", "centre.acl"),
        });
        await using var f = await RoutingFixture.CreateAsync(units: AclUnits, systemClock: true);
        await using var edge = await ConnectAsync(broker, "edge-01");
        await using var unit7 = await ConnectAsync(broker, "unit-7");
        await using var unit8 = await ConnectAsync(broker, "unit-8");
        using var stop = new CancellationTokenSource();
        Task running = f.Router.RunAsync(edge, stop.Token);
        CancellationToken cap = MqttTestSubscriber.Cap();

        // unit-7 on duty (its own identity), unit-8 says nothing: the incident goes to unit-7.
        await PublishUntilAsync(unit7, AclUnits[0].Id, "status", RoutingFixture.StatusJson(true, DateTimeOffset.UtcNow), retain: true,
            () => f.Router.StatusCount(InputOutcome.Accepted) == 1, cap);
        await f.Router.RouteAsync(f.Incident());
        Assert.Equal("unit-7", (await f.Router.FindAsync("inc-1", cap))!.UnitId);

        // The forgery is a perfectly valid ack for unit-7: only the broker's ACL can stop it.
        byte[] forged = RoutingFixture.AckJson("inc-1", "accepted", DateTimeOffset.UtcNow);
        Assert.Equal(InputOutcome.Accepted, UnitInput.TryReadAck(forged, "unit-7", 4096, out _));
        try
        {
            await unit8.PublishAsync(AlertTopics.UnitAcks("unit-7"), forged, 1, retain: false, cap);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // mosquitto may answer a denied QoS 1 publish with "not authorized": refused either way.
        }

        // The broker handled the forged PUBLISH before it answered it, so had it been forwarded, the edge would
        // have got it before the genuine ack that unit-7 sends only now.
        await PublishUntilAsync(unit7, "unit-7", "acks", RoutingFixture.AckJson("inc-1", "accepted", DateTimeOffset.UtcNow), retain: false,
            () => f.Router.AckCount(InputOutcome.Accepted) == 1, cap);

        Assert.Equal(LoopState.Accepted, (await f.Router.FindAsync("inc-1", cap))!.State);
        foreach (InputOutcome outcome in Enum.GetValues<InputOutcome>().Where(o => o != InputOutcome.Accepted))
        {
            // A forgery that got through would have been Accepted and made the genuine ack a Duplicate.
            Assert.Equal(0, f.Router.AckCount(outcome));
        }

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public async Task RunAsync_UnitsOfCellsNotServed_TheirMessagesNeverReachTheEdgeUntilACameraMovesThere()
    {
        // No ACL here: the edge's own subscriptions are what keeps other cells' units out.
        await using var broker = await MosquittoBroker.StartAsync();
        UnitDefinition[] units =
        [
            new("u-a", "In A", "cell-a"),
            new("u-b", "In B (neighbour)", "cell-b"),
            new("u-c", "In C", "cell-c"),
            new("u-away", "Far", "cell-far"),
        ];
        string directory = Directory.CreateTempSubdirectory("edgesentry-served-").FullName;
        try
        {
            GridMap map = GridMap.Parse(Encoding.UTF8.GetBytes(RoutingFixture.GeoJson()), "test-grid.geojson");
            await using var outbox = AlertOutbox.Open(new OutboxOptions { DatabasePath = Path.Combine(directory, "outbox.db"), SurvivePowerLoss = false });
            var builder = new IncidentMessageBuilder("edge-r", [new AlertCamera("cam-1", "Gate camera", "cell-a")]);
            using var router = new IncidentRouter(map, new UnitRoster(units, TimeSpan.FromMinutes(10)), [new RoutedCamera("cam-1", "cell-a", null)], new RoutingOptions(), builder, outbox);
            Assert.Equal(
                ["edgesentry/v1/units/u-a/status", "edgesentry/v1/units/u-a/acks", "edgesentry/v1/units/u-b/status", "edgesentry/v1/units/u-b/acks"],
                router.ServedUnitTopics());
            await using var edge = await ConnectAsync(broker, null);
            await using var others = await ConnectAsync(broker, null);
            using var stop = new CancellationTokenSource();
            Task running = router.RunAsync(edge, stop.Token);
            CancellationToken cap = MqttTestSubscriber.Cap();

            // A served unit's retained status first: once it is in, the edge's subscriptions are active.
            await PublishUntilAsync(others, "u-b", "status", RoutingFixture.StatusJson(true, DateTimeOffset.UtcNow), retain: true,
                () => router.StatusCount(InputOutcome.Accepted) == 1, cap);

            // Other cells' units speak (retained status and an ack each), then a served unit again as the marker.
            foreach (string unit in new[] { "u-c", "u-away" })
            {
                await others.PublishAsync(AlertTopics.UnitStatus(unit), RoutingFixture.StatusJson(true, DateTimeOffset.UtcNow), 1, retain: true, cap);
                await others.PublishAsync(AlertTopics.UnitAcks(unit), RoutingFixture.AckJson("inc-1", "accepted", DateTimeOffset.UtcNow), 1, retain: false, cap);
            }

            await PublishUntilAsync(others, "u-a", "status", RoutingFixture.StatusJson(true, DateTimeOffset.UtcNow), retain: true,
                () => router.StatusCount(InputOutcome.Accepted) == 2, cap);
            Assert.Equal(2, Inbound(router));
            Assert.False(router.Roster.IsOnDuty("u-c", DateTimeOffset.UtcNow));

            // A reload places a camera in cell-c: u-c is served now and its retained status arrives.
            router.SetCamera(new RoutedCamera("cam-c", "cell-c", null));
            await router.RefreshSubscriptionsAsync(cap);
            while (!router.Roster.IsOnDuty("u-c", DateTimeOffset.UtcNow))
            {
                await Task.Delay(20, cap);
            }

            Assert.Equal(3, Inbound(router));
            Assert.False(router.Roster.IsOnDuty("u-away", DateTimeOffset.UtcNow));
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static long Inbound(IncidentRouter router) =>
        Enum.GetValues<InputOutcome>().Sum(o => router.StatusCount(o) + router.AckCount(o));

    private static async Task<MqttConnection> ConnectAsync(MosquittoBroker broker, string? user)
    {
        var connection = new MqttConnection(new MqttConnectionOptions
        {
            Host = broker.Host,
            Port = broker.Port,
            ClientId = (user ?? "anon") + "-" + Guid.NewGuid().ToString("N")[..8],
            Username = user,
            Password = user is null ? null : Password,
        });
        await connection.ConnectAsync(MqttTestSubscriber.Cap());
        return connection;
    }

    /// <summary>
    /// Publishes once, then waits (polling, capped as a hang guard) for the router to have taken it. Retained
    /// statuses also reach a subscription that becomes active only after the publish.
    /// </summary>
    private static async Task PublishUntilAsync(MqttConnection from, string unitId, string kind, byte[] payload, bool retain, Func<bool> taken, CancellationToken cap)
    {
        string topic = kind == "status" ? AlertTopics.UnitStatus(unitId) : AlertTopics.UnitAcks(unitId);
        await from.PublishAsync(topic, payload, 1, retain, cap);
        while (!taken())
        {
            await Task.Delay(20, cap);
        }
    }
}
