using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Rules;
using EdgeSentry.Tests.Peers;
using Xunit.Abstractions;

namespace EdgeSentry.Tests.Routing;

/// <summary>
/// Issue 6 acceptance 1 through the router: the broker is stopped for 60 s while incidents keep coming from two
/// cameras; afterwards every incident's camera alert, unit dispatch and state arrive exactly once after dedupe by
/// messageId, and each camera's alerts in order.
/// </summary>
public sealed class RoutingOutageTests : IAsyncLifetime
{
    private readonly ITestOutputHelper _output;
    private MosquittoBroker _broker = null!;

    public RoutingOutageTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync(persistent: true);

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    [Trait("Category", "Outage")]
    public async Task RouteAsync_BrokerStoppedSixtySecondsWhileIncidentsKeepComing_EveryMessageOnceInOrderPerCamera()
    {
        const int total = 1200;
        string[] cameras = ["cam-1", "cam-far"];
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();
        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "edgesentry/v1/#", persistentSession: true);
        await using var publisher = new AlertPublisher(
            new MqttConnectionOptions { Host = _broker.Host, Port = _broker.Port, ClientId = "edge-outage", ReconnectDelayMax = TimeSpan.FromSeconds(1) },
            // The broker is really down for 60 s, so the connection's reconnect backoff must run on the real clock
            // (on the fixture's manual clock it would wait forever); the router and outbox keep the manual one.
            f.Builder, f.Outbox, TimeProvider.System);
        await publisher.StartAsync(MqttTestSubscriber.Cap());
        using var stop = new CancellationTokenSource();
        Task sending = publisher.RunAsync(stop.Token);

        var expected = new List<OutgoingMessage>();
        int produced = 0;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task producer = Task.Run(async () =>
        {
            // About 15 incidents a second (each three messages) for the whole outage and beyond.
            for (int n = 0; n < total; n++)
            {
                IncidentEvent incident = f.Incident($"inc-{n}", camera: cameras[n % cameras.Length]);
                IReadOnlyList<OutgoingMessage> sent = await f.Router.RouteAsync(incident);
                lock (expected)
                {
                    expected.AddRange(sent);
                }

                Volatile.Write(ref produced, n + 1);
                if (n == 100)
                {
                    started.TrySetResult();
                }

                await Task.Delay(60);
            }
        });

        await started.Task.WaitAsync(MqttTestSubscriber.Cap());
        await _broker.StopAsync();
        int atStop = Volatile.Read(ref produced);
        await Task.Delay(TimeSpan.FromSeconds(60));
        int duringOutage = Volatile.Read(ref produced) - atStop;
        await _broker.StartAgainAsync();
        await producer.WaitAsync(MqttTestSubscriber.Cap(180));
        await f.Outbox.WaitUntilEmptyAsync(MqttTestSubscriber.Cap(180));

        var wanted = expected.ToDictionary(m => m.MessageId, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var alertOrder = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        int duplicates = 0;
        CancellationToken cap = MqttTestSubscriber.Cap(180);
        while (seen.Count < wanted.Count)
        {
            MqttMessage m = await subscriber.NextAsync(cap);
            if (!m.Topic.StartsWith("edgesentry/v1/alerts/", StringComparison.Ordinal) && !m.Topic.StartsWith("edgesentry/v1/incidents/", StringComparison.Ordinal)
                && !m.Topic.EndsWith("/alerts", StringComparison.Ordinal))
            {
                continue;
            }

            using JsonDocument doc = JsonDocument.Parse(m.Payload);
            string id = doc.RootElement.GetProperty("messageId").GetString()!;
            Assert.True(wanted.ContainsKey(id), $"unexpected message {id} on {m.Topic}");
            if (!seen.Add(id))
            {
                duplicates++;
                continue;
            }

            Assert.Equal(wanted[id].Payload, m.Payload.ToArray());
            if (m.Topic.StartsWith("edgesentry/v1/alerts/", StringComparison.Ordinal))
            {
                string camera = doc.RootElement.GetProperty("cameraId").GetString()!;
                int n = int.Parse(doc.RootElement.GetProperty("incidentId").GetString()!["inc-".Length..], System.Globalization.CultureInfo.InvariantCulture);
                (alertOrder.TryGetValue(camera, out List<int>? list) ? list : alertOrder[camera] = []).Add(n);
            }
        }

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        _output.WriteLine($"incidents: {total}, during the 60 s outage: {duringOutage}, messages: {wanted.Count}, duplicates dropped: {duplicates}, reconnects: {publisher.Connection.Reconnects}");
        Assert.True(duringOutage > 100, "the outage must overlap the stream");
        for (int c = 0; c < cameras.Length; c++)
        {
            Assert.Equal(Enumerable.Range(0, total).Where(n => n % cameras.Length == c), alertOrder[cameras[c]]);
        }
    }
}
