using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Pipeline;
using EdgeSentry.Rules;
using EdgeSentry.Tests.Contracts;
using EdgeSentry.Tests.Peers;
using OpenCvSharp;
using Xunit.Abstractions;

namespace EdgeSentry.Tests.Alerts;

/// <summary>
/// Acceptance: a broker with <c>max_packet_size 32768</c> and started alerts carrying 50-100 KB snapshots of a real
/// frame. Nothing may block the queue, also across a restart of the edge.
/// </summary>
public sealed class OversizeAlertTests : IAsyncLifetime
{
    private const int MaxPacket = 32768;
    private static readonly ContractSchema IncidentSchema = ContractSchema.Load("incident.v4.schema.json");
    private static readonly AlertCamera Gate = new("cam-gate-1", "School gate, north", "grid-07");

    private readonly ITestOutputHelper _output;
    private readonly string _directory = Directory.CreateTempSubdirectory("edgesentry-oversize-").FullName;
    private MosquittoBroker _broker = null!;

    public OversizeAlertTests(ITestOutputHelper output) => _output = output;

    private string DatabasePath => Path.Combine(_directory, "outbox.db");

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync(new MosquittoBrokerSettings { MaxPacketSize = MaxPacket });

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task RunAsync_StartedAlertsWithLargeSnapshots_EveryTransitionArrivesInOrderAndShrunkOnesSaySo()
    {
        (IncidentSnapshot snapshot, int width) = RealSnapshot();
        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "edgesentry/v1/alerts/#");
        await using var outbox = AlertOutbox.Open(new OutboxOptions { DatabasePath = DatabasePath });
        using var metrics = new OutboxMetrics(outbox);
        await using Edge edge = await Edge.StartAsync(_broker, outbox);

        const int incidents = 4;
        for (int i = 0; i < incidents; i++)
        {
            // Interleaved incidents: the order that matters is per incident.
            await edge.Dispatcher.DispatchAsync(Incident($"inc-{i}", IncidentTransition.Started, 1), snapshot, MqttTestSubscriber.Cap());
        }

        for (int i = 0; i < incidents; i++)
        {
            await edge.Dispatcher.DispatchAsync(Incident($"inc-{i}", IncidentTransition.Updated, 2), null, MqttTestSubscriber.Cap());
            await edge.Dispatcher.DispatchAsync(Incident($"inc-{i}", IncidentTransition.Ended, 3), null, MqttTestSubscriber.Cap());
        }

        List<MqttMessage> received = await subscriber.CollectAsync(incidents * 3, _ => true, MqttTestSubscriber.Cap(60));
        await outbox.WaitUntilEmptyAsync(MqttTestSubscriber.Cap());

        Assert.All(received, m => Assert.Empty(IncidentSchema.Validate(m.Payload.Span)));
        Assert.All(received, m => Assert.True(m.Payload.Length <= MaxPacket, $"{m.Payload.Length} bytes arrived"));
        foreach (IGrouping<string, JsonElement> incident in received.Select(Json).GroupBy(j => j.GetProperty("incidentId").GetString()!))
        {
            Assert.Equal([1, 2, 3], incident.Select(j => j.GetProperty("sequence").GetInt32()));
            JsonElement started = incident.First();
            JsonElement shrunk = started.GetProperty("snapshot");
            // Says so: the picture is smaller than the frame it shows, and still a JPEG OpenCV can read.
            Assert.True(shrunk.GetProperty("width").GetInt32() < width);
            using Mat decoded = Cv2.ImDecode(shrunk.GetProperty("data").GetBytesFromBase64(), ImreadModes.Color);
            Assert.Equal((shrunk.GetProperty("width").GetInt32(), shrunk.GetProperty("height").GetInt32()), (decoded.Width, decoded.Height));
        }

        Assert.Equal(incidents, metrics.Sum("edgesentry.outbox.shrunk", "outcome", AlertShrinker.Reencoded));
        Assert.Equal(0, outbox.SetAside);
        _output.WriteLine($"snapshot {snapshot.Data.Length} B at {width} px; started alerts arrived at {string.Join(", ", received.Where(m => Json(m).TryGetProperty("snapshot", out _)).Select(m => m.Payload.Length))} B");
    }

    [Fact]
    public async Task RunAsync_OversizeMessagesLeftBeforeRestart_ShrunkOrSetAsideAndLaterMessagesFlow()
    {
        (IncidentSnapshot snapshot, _) = RealSnapshot();
        // A snapshot no decoder can read cannot be re-encoded: the alert goes out without it, flagged.
        var undecodable = new IncidentSnapshot { Width = 1920, Height = 1080, Data = [0xFF, 0xD8, .. Enumerable.Repeat((byte)0x5A, 60_000)] };
        var builder = new IncidentMessageBuilder("edge-o", [Gate]);
        var rawTooLarge = new OutgoingMessage(Guid.CreateVersion7().ToString("D"), "edgesentry/v1/edges/edge-o/blob", new byte[40_000], Gate.Id, 1, false);

        // First run: the edge stores three oversize messages and dies before sending any.
        await using (var before = AlertOutbox.Open(new OutboxOptions { DatabasePath = DatabasePath }))
        {
            var dispatcher = new IncidentDispatcher(builder, before);
            await dispatcher.DispatchAsync(Incident("inc-big", IncidentTransition.Started, 1), snapshot, MqttTestSubscriber.Cap());
            await before.EnqueueAsync(rawTooLarge, MqttTestSubscriber.Cap());
            await dispatcher.DispatchAsync(Incident("inc-blind", IncidentTransition.Started, 1), undecodable, MqttTestSubscriber.Cap());
            Assert.Equal(3, before.Depth);
        }

        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "edgesentry/v1/#");
        await using var outbox = AlertOutbox.Open(new OutboxOptions { DatabasePath = DatabasePath });
        using var metrics = new OutboxMetrics(outbox);
        await using Edge edge = await Edge.StartAsync(_broker, outbox, builder);
        await edge.Dispatcher.DispatchAsync(Incident("inc-big", IncidentTransition.Ended, 2), null, MqttTestSubscriber.Cap());
        await edge.Dispatcher.DispatchAsync(Incident("inc-later", IncidentTransition.Started, 1), null, MqttTestSubscriber.Cap());

        List<JsonElement> alerts = [.. (await subscriber.CollectAsync(4, m => m.Topic.StartsWith("edgesentry/v1/alerts/", StringComparison.Ordinal), MqttTestSubscriber.Cap(60))).Select(Json)];
        await outbox.WaitUntilEmptyAsync(MqttTestSubscriber.Cap());
        IReadOnlyList<SetAsideMessage> setAside = await outbox.ReadSetAsideAsync();

        Assert.Equal(
            [("inc-big", 1), ("inc-blind", 1), ("inc-big", 2), ("inc-later", 1)],
            alerts.Select(j => (j.GetProperty("incidentId").GetString()!, j.GetProperty("sequence").GetInt32())));
        Assert.True(alerts[0].TryGetProperty("snapshot", out _));
        JsonElement omitted = alerts[1].GetProperty("snapshotOmitted");
        Assert.Equal(("too-large", undecodable.Data.Length), (omitted.GetProperty("reason").GetString(), omitted.GetProperty("bytes").GetInt32()));
        Assert.False(alerts[1].TryGetProperty("snapshot", out _));
        SetAsideMessage aside = Assert.Single(setAside);
        Assert.Equal((rawTooLarge.MessageId, "too-large", 40_000L), (aside.MessageId, aside.Reason, aside.PayloadBytes));
        Assert.Equal(1, metrics.Sum("edgesentry.outbox.set_aside", "reason", "too-large"));
        Assert.Equal(1, metrics.Sum("edgesentry.outbox.shrunk", "outcome", AlertShrinker.Omitted));
        Assert.Equal(1, metrics.Sum("edgesentry.outbox.shrunk", "outcome", AlertShrinker.Reencoded));
    }

    private static IncidentEvent Incident(string id, IncidentTransition transition, int sequence) =>
        AlertPublisherTests.Incident(transition, sequence) with { IncidentId = id };

    /// <summary>A real frame as a JPEG of 50-100 KB: the size a started alert's snapshot has on a real camera.</summary>
    private static (IncidentSnapshot Snapshot, int Width) RealSnapshot()
    {
        using Mat frame = Cv2.ImRead(SharedPaths.TestFrame("vtest_f0200.png"), ImreadModes.Color);
        Assert.False(frame.Empty(), "OpenCV could not read the test frame");
        foreach (int quality in new[] { 98, 95, 92, 90, 85, 80, 75, 70 })
        {
            Cv2.ImEncode(".jpg", frame, out byte[] jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, quality));
            if (jpeg.Length is >= 50_000 and <= 100_000)
            {
                return (new IncidentSnapshot { Width = frame.Width, Height = frame.Height, Data = jpeg }, frame.Width);
            }
        }

        throw new InvalidOperationException("no JPEG quality gives the test frame a 50-100 KB snapshot");
    }

    private static JsonElement Json(MqttMessage message)
    {
        using JsonDocument json = JsonDocument.Parse(message.Payload);
        return json.RootElement.Clone();
    }

    /// <summary>The edge's alert line on an outbox: dispatcher, publisher (connection, status, sender).</summary>
    private sealed class Edge : IAsyncDisposable
    {
        private readonly CancellationTokenSource _run = new();
        private AlertPublisher _publisher = null!;
        private Task _sending = Task.CompletedTask;

        public IncidentDispatcher Dispatcher { get; private set; } = null!;

        public static async Task<Edge> StartAsync(MosquittoBroker broker, AlertOutbox outbox, IncidentMessageBuilder? builder = null)
        {
            builder ??= new IncidentMessageBuilder("edge-o", [Gate]);
            var edge = new Edge();
            edge._publisher = new AlertPublisher(new MqttConnectionOptions { Host = broker.Host, Port = broker.Port, ClientId = "edge-o" }, builder, outbox);
            edge.Dispatcher = new IncidentDispatcher(builder, outbox);
            await edge._publisher.StartAsync(MqttTestSubscriber.Cap());
            edge._sending = edge._publisher.RunAsync(edge._run.Token);
            return edge;
        }

        public async ValueTask DisposeAsync()
        {
            await _run.CancelAsync();
            await _sending.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await _publisher.DisposeAsync();
            _run.Dispose();
        }
    }
}
