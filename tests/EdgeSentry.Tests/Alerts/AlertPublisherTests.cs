using System.Runtime.InteropServices;
using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Detection;
using EdgeSentry.Rules;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Alerts;

public sealed partial class AlertPublisherTests : IAsyncLifetime
{
    private static readonly JsonSchemaSubset IncidentSchema = JsonSchemaSubset.Load("incident.v2.schema.json");
    private static readonly JsonSchemaSubset StatusSchema = JsonSchemaSubset.Load("edge-status.v1.schema.json");
    private static readonly AlertCamera Gate = new("cam-gate-1", "School gate, north", "grid-07");

    private MosquittoBroker broker = null!;

    public async Task InitializeAsync() => broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync() => await broker.DisposeAsync();

    internal static IncidentEvent Incident(IncidentTransition transition = IncidentTransition.Started, int sequence = 1, string cameraId = "cam-gate-1") => new()
    {
        IncidentId = "inc-42",
        Sequence = sequence,
        Transition = transition,
        Kind = "loitering",
        RuleId = "gate-loiter",
        CameraId = cameraId,
        ZoneId = transition == IncidentTransition.Updated ? null : "gate-zone",
        Severity = 2,
        ClassId = 0,
        Label = "person",
        Score = 0.87f,
        Box = new BoundingBox(100.5f, 50f, 180f, 260.25f),
        TrackId = 7,
        ObjectCount = 1,
        StartedPtsSeconds = 12.5,
        PtsSeconds = transition == IncidentTransition.Started ? 12.5 : 95.04,
        StartedAt = new DateTimeOffset(2026, 11, 23, 8, 0, 12, 500, TimeSpan.FromHours(8)),
        At = new DateTimeOffset(2026, 11, 23, 8, 1, 35, 40, TimeSpan.FromHours(8)),
        FrameWidth = 1920,
        FrameHeight = 1080,
        DurationSeconds = transition == IncidentTransition.Ended ? 82.54 : null,
        PeakObjectCount = transition == IncidentTransition.Ended ? 3 : null,
    };

    [Fact]
    public async Task StartAsync_BrokerRunning_PublishesRetainedSchemaValidOnline()
    {
        await using AlertPublisher publisher = Publisher("edge-a");
        await publisher.StartAsync(MqttTestSubscriber.Cap());

        await using var late = await MqttTestSubscriber.StartAsync(broker, "edgesentry/v1/edges/#");
        MqttMessage status = await late.NextAsync(MqttTestSubscriber.Cap());

        Assert.Equal("edgesentry/v1/edges/edge-a/status", status.Topic);
        Assert.True(status.Retain);
        Assert.Empty(StatusSchema.Validate(status.Payload.Span));
        Assert.Equal("online", State(status));
    }

    [Fact]
    public async Task PublishAsync_StartedIncident_SchemaValidJsonOnGridCameraTopic()
    {
        await using var subscriber = await MqttTestSubscriber.StartAsync(broker, "edgesentry/v1/alerts/#");
        await using AlertPublisher publisher = Publisher("edge-b");
        await publisher.StartAsync(MqttTestSubscriber.Cap());
        var snapshot = new IncidentSnapshot { Width = 4, Height = 2, Data = [0xFF, 0xD8, 0xFF, 0xD9] };

        OutgoingMessage sent = await publisher.PublishAsync(Incident(), snapshot, MqttTestSubscriber.Cap());
        MqttMessage received = await subscriber.NextAsync(MqttTestSubscriber.Cap());

        Assert.Equal("edgesentry/v1/alerts/grid-07/cam-gate-1", received.Topic);
        Assert.Equal(1, received.Qos);
        Assert.Equal(sent.Payload, received.Payload.ToArray());
        Assert.Empty(IncidentSchema.Validate(received.Payload.Span));
        using JsonDocument json = JsonDocument.Parse(received.Payload);
        JsonElement root = json.RootElement;
        Assert.Equal(sent.MessageId, root.GetProperty("messageId").GetString());
        Assert.Equal("started", root.GetProperty("transition").GetString());
        Assert.Equal("School gate, north", root.GetProperty("cameraName").GetString());
        Assert.Equal("2026-11-23T00:00:12.500Z", root.GetProperty("startedAt").GetString());
        Assert.Equal([100.5f, 50f, 180f, 260.25f], root.GetProperty("object").GetProperty("box").EnumerateArray().Select(e => e.GetSingle()));
        Assert.Equal([0xFF, 0xD8, 0xFF, 0xD9], root.GetProperty("snapshot").GetProperty("data").GetBytesFromBase64());
        Assert.False(root.TryGetProperty("durationSeconds", out _));
    }

    [Fact]
    public async Task PublishAsync_RenderedSnapshotOfRealFrame_ReceiverDecodesTheJpeg()
    {
        var frame = global::EdgeSentry.Tests.Detection.TestFrames.Load("vtest_f0200.png");
        (int width, int height) = (frame.Width, frame.Height);
        using var renderer = new global::EdgeSentry.Pictures.SnapshotRenderer();
        IncidentEvent incident = Incident() with { FrameWidth = width, FrameHeight = height, Box = new BoundingBox(100, 50, 180, 200) };
        IncidentSnapshot snapshot = renderer.Render(
            new global::EdgeSentry.Capture.BgrImage(frame.Pixels, width, height),
            new global::EdgeSentry.Pictures.SceneOverlay
            {
                Boxes = [new(incident.Box, 0, "person 0.90")],
                Zones = [new([new(0.1f, 0.1f), new(0.9f, 0.1f), new(0.5f, 0.9f)], global::EdgeSentry.Pictures.BgrColor.Yellow)],
            })!;
        await using var subscriber = await MqttTestSubscriber.StartAsync(broker, "edgesentry/v1/alerts/#");
        await using AlertPublisher publisher = Publisher("edge-s");
        await publisher.StartAsync(MqttTestSubscriber.Cap());

        await publisher.PublishAsync(incident, snapshot, MqttTestSubscriber.Cap());
        MqttMessage received = await subscriber.NextAsync(MqttTestSubscriber.Cap());

        Assert.Empty(IncidentSchema.Validate(received.Payload.Span));
        using JsonDocument json = JsonDocument.Parse(received.Payload);
        byte[] jpeg = json.RootElement.GetProperty("snapshot").GetProperty("data").GetBytesFromBase64();
        using var decoded = OpenCvSharp.Cv2.ImDecode(jpeg, OpenCvSharp.ImreadModes.Color);
        Assert.Equal((width, height), (decoded.Width, decoded.Height));
        Assert.Equal(snapshot.Data, jpeg);
    }

    [Fact]
    public async Task PublishAsync_UpdatedAndEnded_SchemaValidWithEndFields()
    {
        await using var subscriber = await MqttTestSubscriber.StartAsync(broker, "edgesentry/v1/alerts/#");
        await using AlertPublisher publisher = Publisher("edge-c");
        await publisher.StartAsync(MqttTestSubscriber.Cap());

        OutgoingMessage updated = await publisher.PublishAsync(Incident(IncidentTransition.Updated, 2), cancellationToken: MqttTestSubscriber.Cap());
        OutgoingMessage ended = await publisher.PublishAsync(Incident(IncidentTransition.Ended, 3), cancellationToken: MqttTestSubscriber.Cap());
        List<MqttMessage> received = await subscriber.CollectAsync(2, _ => true, MqttTestSubscriber.Cap());

        Assert.All(received, m => Assert.Empty(IncidentSchema.Validate(m.Payload.Span)));
        Assert.NotEqual(updated.MessageId, ended.MessageId);
        using JsonDocument last = JsonDocument.Parse(received[1].Payload);
        Assert.Equal(("ended", 3, 82.54, 3), (
            last.RootElement.GetProperty("transition").GetString(),
            last.RootElement.GetProperty("sequence").GetInt32(),
            last.RootElement.GetProperty("durationSeconds").GetDouble(),
            last.RootElement.GetProperty("peakObjectCount").GetInt32()));
        using JsonDocument first = JsonDocument.Parse(received[0].Payload);
        Assert.False(first.RootElement.TryGetProperty("zoneId", out _));
    }

    [Fact]
    public async Task StopAsync_Graceful_LeavesRetainedStopped()
    {
        await using AlertPublisher publisher = Publisher("edge-d");
        await publisher.StartAsync(MqttTestSubscriber.Cap());

        await publisher.StopAsync(MqttTestSubscriber.Cap());
        await using var late = await MqttTestSubscriber.StartAsync(broker, "edgesentry/v1/edges/edge-d/status");
        MqttMessage status = await late.NextAsync(MqttTestSubscriber.Cap());

        Assert.Equal("stopped", State(status));
        Assert.Empty(StatusSchema.Validate(status.Payload.Span));
    }

    [Fact]
    public async Task ConnectionCut_WithoutDisconnect_WillSaysOfflineThenOnlineAgain()
    {
        await using var subscriber = await MqttTestSubscriber.StartAsync(broker, "edgesentry/v1/edges/edge-e/status");
        await using AlertPublisher publisher = Publisher("edge-e");
        await publisher.StartAsync(MqttTestSubscriber.Cap());
        Assert.Equal("online", State(await subscriber.NextAsync(MqttTestSubscriber.Cap())));

        Assert.Equal(0, Shutdown(publisher.Connection.NativeSocket, 2));
        MqttMessage will = await subscriber.NextAsync(MqttTestSubscriber.Cap());
        MqttMessage back = await subscriber.NextAsync(MqttTestSubscriber.Cap());

        Assert.Equal("offline", State(will));
        Assert.Empty(StatusSchema.Validate(will.Payload.Span));
        Assert.Equal("online", State(back));
    }

    [Fact]
    public async Task StartAsync_WithOutboxWhileBrokerDown_IncidentStoredThenDeliveredAndOnlineRetained()
    {
        string directory = Directory.CreateTempSubdirectory("edgesentry-publisher-").FullName;
        try
        {
            await broker.StopAsync();
            await using AlertOutbox outbox = AlertOutbox.Open(new OutboxOptions { DatabasePath = Path.Combine(directory, "outbox.db") });
            await using var publisher = new AlertPublisher(
                new MqttConnectionOptions { Host = broker.Host, Port = broker.Port, ClientId = "edge-h", ReconnectDelayMax = TimeSpan.FromSeconds(1) },
                new IncidentMessageBuilder("edge-h", [Gate]),
                outbox);

            await publisher.StartAsync(MqttTestSubscriber.Cap());
            OutgoingMessage stored = await publisher.PublishAsync(Incident(), cancellationToken: MqttTestSubscriber.Cap());
            Assert.Equal(1, outbox.Depth);
            Assert.False(publisher.Connection.IsConnected);

            await broker.StartAgainAsync();
            await using var subscriber = await MqttTestSubscriber.StartAsync(broker, "edgesentry/v1/alerts/#");
            using var run = new CancellationTokenSource();
            Task sending = publisher.RunAsync(run.Token);
            MqttMessage received = await subscriber.NextAsync(MqttTestSubscriber.Cap());
            await outbox.WaitUntilEmptyAsync(MqttTestSubscriber.Cap());
            await run.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);

            Assert.Equal(stored.Payload, received.Payload.ToArray());
            Assert.Empty(IncidentSchema.Validate(received.Payload.Span));
            // online was queued before the incident on the same connection, so the broker holds it by now.
            await using var late = await MqttTestSubscriber.StartAsync(broker, publisher.StatusTopic);
            Assert.Equal("online", State(await late.NextAsync(MqttTestSubscriber.Cap())));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Build_UnknownCamera_ThrowsNamingIt()
    {
        var builder = new IncidentMessageBuilder("edge-f", [Gate]);

        var ex = Assert.Throws<ArgumentException>(() => builder.Build(Incident(cameraId: "cam-elsewhere")));

        Assert.Contains("'cam-elsewhere'", ex.Message);
    }

    [Fact]
    public void Constructor_CameraIdWithWildcard_ThrowsNamingIt()
    {
        var ex = Assert.Throws<ArgumentException>(() => new IncidentMessageBuilder("edge-g", [new AlertCamera("cam+1", "x", "grid-1")]));

        Assert.Contains("'cam+1'", ex.Message);
    }

    private AlertPublisher Publisher(string edgeId) => new(
        new MqttConnectionOptions { Host = broker.Host, Port = broker.Port, ClientId = edgeId },
        new IncidentMessageBuilder(edgeId, [Gate]));

    private static string State(MqttMessage status)
    {
        using JsonDocument json = JsonDocument.Parse(status.Payload);
        return json.RootElement.GetProperty("state").GetString()!;
    }

    [LibraryImport("libc", EntryPoint = "shutdown")]
    private static partial int Shutdown(int socket, int how);
}
