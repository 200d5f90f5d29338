using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Detection;
using EdgeSentry.Pipeline;
using EdgeSentry.Rules;
using EdgeSentry.Tests.Contracts;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Alerts;

public sealed class AlertPublisherTests : IAsyncLifetime
{
    private static readonly ContractSchema IncidentSchema = ContractSchema.Load("incident.v4.schema.json");
    private static readonly ContractSchema StatusSchema = ContractSchema.Load("edge-status.v1.schema.json");
    private static readonly AlertCamera Gate = new("cam-gate-1", "School gate, north", "grid-07");

    private MosquittoBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

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
        await using Edge publisher = await StartEdgeAsync("edge-a");

        await using var late = await MqttTestSubscriber.StartAsync(_broker, "edgesentry/v1/edges/#");
        MqttMessage status = await late.NextAsync(MqttTestSubscriber.Cap());

        Assert.Equal("edgesentry/v1/edges/edge-a/status", status.Topic);
        Assert.True(status.Retain);
        Assert.Empty(StatusSchema.Validate(status.Payload.Span));
        Assert.Equal("online", State(status));
    }

    [Fact]
    public async Task PublishAsync_StartedIncident_SchemaValidJsonOnGridEdgeCameraTopic()
    {
        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "edgesentry/v1/alerts/#");
        await using Edge publisher = await StartEdgeAsync("edge-b");
        var snapshot = new IncidentSnapshot { Width = 4, Height = 2, Data = [0xFF, 0xD8, 0xFF, 0xD9] };

        OutgoingMessage sent = await publisher.DispatchAsync(Incident(), snapshot, MqttTestSubscriber.Cap());
        MqttMessage received = await subscriber.NextAsync(MqttTestSubscriber.Cap());

        Assert.Equal("edgesentry/v1/alerts/grid-07/edge-b/cam-gate-1", received.Topic);
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
        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "edgesentry/v1/alerts/#");
        await using Edge publisher = await StartEdgeAsync("edge-s");

        await publisher.DispatchAsync(incident, snapshot, MqttTestSubscriber.Cap());
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
        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "edgesentry/v1/alerts/#");
        await using Edge publisher = await StartEdgeAsync("edge-c");

        OutgoingMessage updated = await publisher.DispatchAsync(Incident(IncidentTransition.Updated, 2), null, MqttTestSubscriber.Cap());
        OutgoingMessage ended = await publisher.DispatchAsync(Incident(IncidentTransition.Ended, 3), null, MqttTestSubscriber.Cap());
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
        await using Edge publisher = await StartEdgeAsync("edge-d");

        await publisher.Publisher.StopAsync(MqttTestSubscriber.Cap());
        await using var late = await MqttTestSubscriber.StartAsync(_broker, "edgesentry/v1/edges/edge-d/status");
        MqttMessage status = await late.NextAsync(MqttTestSubscriber.Cap());

        Assert.Equal("stopped", State(status));
        Assert.Empty(StatusSchema.Validate(status.Payload.Span));
    }

    [Fact]
    public async Task ConnectionCut_WithoutDisconnect_WillSaysOfflineThenOnlineAgain()
    {
        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "edgesentry/v1/edges/edge-e/status");
        await using var relay = new TcpRelay(_broker.Host, _broker.Port);
        await using Edge publisher = await StartEdgeAsync("edge-e", relay.Port);
        Assert.Equal("online", State(await subscriber.NextAsync(MqttTestSubscriber.Cap())));

        Assert.Equal(1, relay.CutAll());
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
            await _broker.StopAsync();
            await using AlertOutbox outbox = AlertOutbox.Open(new OutboxOptions { DatabasePath = Path.Combine(directory, "outbox.db") });
            await using var publisher = new AlertPublisher(
                new MqttConnectionOptions { Host = _broker.Host, Port = _broker.Port, ClientId = "edge-h", ReconnectDelayMax = TimeSpan.FromSeconds(1) },
                new IncidentMessageBuilder("edge-h", [Gate]),
                outbox);

            await publisher.StartAsync(MqttTestSubscriber.Cap());
            OutgoingMessage stored = (await new IncidentDispatcher(new IncidentMessageBuilder("edge-h", [Gate]), outbox).DispatchAsync(Incident(), null, MqttTestSubscriber.Cap())).Single();
            Assert.Equal(1, outbox.Depth);
            Assert.False(publisher.Connection.IsConnected);

            await _broker.StartAgainAsync();
            await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "edgesentry/v1/alerts/#");
            using var run = new CancellationTokenSource();
            Task sending = publisher.RunAsync(run.Token);
            MqttMessage received = await subscriber.NextAsync(MqttTestSubscriber.Cap());
            await outbox.WaitUntilEmptyAsync(MqttTestSubscriber.Cap());
            await run.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);

            Assert.Equal(stored.Payload, received.Payload.ToArray());
            Assert.Empty(IncidentSchema.Validate(received.Payload.Span));
            // online was queued before the incident on the same connection, so the broker holds it by now.
            await using var late = await MqttTestSubscriber.StartAsync(_broker, publisher.StatusTopic);
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

    /// <summary>An edge's alert line on an outbox in a temporary directory, started and sending.</summary>
    private async Task<Edge> StartEdgeAsync(string edgeId, int? port = null)
    {
        string directory = Directory.CreateTempSubdirectory("edgesentry-publisher-").FullName;
        var builder = new IncidentMessageBuilder(edgeId, [Gate]);
        AlertOutbox outbox = AlertOutbox.Open(new OutboxOptions { DatabasePath = Path.Combine(directory, "outbox.db") });
        var publisher = new AlertPublisher(
            new MqttConnectionOptions { Host = _broker.Host, Port = port ?? _broker.Port, ClientId = edgeId, ReconnectDelay = TimeSpan.FromMilliseconds(200) },
            builder,
            outbox);
        await publisher.StartAsync(MqttTestSubscriber.Cap());
        await publisher.Connection.WhenConnectedAsync(MqttTestSubscriber.Cap());
        var run = new CancellationTokenSource();
        return new Edge(directory, outbox, publisher, new IncidentDispatcher(builder, outbox), run, publisher.RunAsync(run.Token));
    }

    private sealed record Edge(string Directory, AlertOutbox Outbox, AlertPublisher Publisher, IncidentDispatcher Dispatcher, CancellationTokenSource Run, Task Sending) : IAsyncDisposable
    {
        public string StatusTopic => Publisher.StatusTopic;

        public async Task<OutgoingMessage> DispatchAsync(IncidentEvent incident, IncidentSnapshot? snapshot, CancellationToken cancellationToken) =>
            (await Dispatcher.DispatchAsync(incident, snapshot, cancellationToken)).Single();

        public async ValueTask DisposeAsync()
        {
            await Run.CancelAsync();
            await Sending.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await Publisher.DisposeAsync();
            await Outbox.DisposeAsync();
            Run.Dispose();
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private static string State(MqttMessage status)
    {
        using JsonDocument json = JsonDocument.Parse(status.Payload);
        return json.RootElement.GetProperty("state").GetString()!;
    }
}
