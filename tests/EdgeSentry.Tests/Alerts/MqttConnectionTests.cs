using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using EdgeSentry.Alerts;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Alerts;

public sealed class MqttConnectionTests : IAsyncLifetime
{
    private MosquittoBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task ConnectAsync_BrokerRunning_ReportsConnected()
    {
        await using var connection = new MqttConnection(Options("c1"));
        var states = new ConcurrentQueue<MqttConnectionStateChanged>();
        connection.StateChanged += (_, e) => states.Enqueue(e);

        await connection.ConnectAsync(MqttTestSubscriber.Cap());

        Assert.True(connection.IsConnected);
        Assert.Contains(states, s => s.Connected && !s.IsReconnect);
    }

    [Fact]
    public async Task ConnectAsync_NothingListening_ThrowsNamingHostAndPortAfterTimeout()
    {
        int closedPort = ClosedPort();
        var time = new ManualTimeProvider();
        await using var connection = new MqttConnection(
            new MqttConnectionOptions { Host = "127.0.0.1", Port = closedPort, ClientId = "nobody-home", ConnectTimeout = TimeSpan.FromSeconds(5) },
            time);

        Task connecting = connection.ConnectAsync();
        Assert.False(connecting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));
        var ex = await Assert.ThrowsAsync<MqttConnectException>(() => connecting);

        Assert.Contains($"127.0.0.1:{closedPort}", ex.Message);
        Assert.Contains("Connection refused", ex.Message);
        Assert.False(connection.IsConnected);
    }

    [Fact]
    public async Task ConnectAsync_UnknownHostName_ThrowsNamingHostAndPort()
    {
        await using var connection = new MqttConnection(
            new MqttConnectionOptions { Host = "no-such-broker.invalid", Port = 1883, ClientId = "lost" });

        var ex = await Assert.ThrowsAsync<MqttConnectException>(() => connection.ConnectAsync(MqttTestSubscriber.Cap()));

        Assert.Contains("no-such-broker.invalid:1883", ex.Message);
    }

    [Fact]
    public async Task StartConnecting_BrokerStartsLater_ConnectsAndDeliversWhatWasQueued()
    {
        await _broker.StopAsync();
        await using var connection = new MqttConnection(Options("early") with { ReconnectDelayMax = TimeSpan.FromSeconds(1) });
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.StateChanged += (_, e) =>
        {
            if (e.Connected)
            {
                connected.TrySetResult();
            }
        };

        connection.StartConnecting();
        Task acknowledged = await connection.BeginPublishAsync("late/queued", "kept"u8.ToArray(), 1, retain: true, MqttTestSubscriber.Cap());
        Assert.False(acknowledged.IsCompleted);
        await _broker.StartAgainAsync();
        await connected.Task.WaitAsync(MqttTestSubscriber.Cap());
        await acknowledged.WaitAsync(MqttTestSubscriber.Cap());
        await using var late = await MqttTestSubscriber.StartAsync(_broker, "late/#");
        MqttMessage retained = await late.NextAsync(MqttTestSubscriber.Cap());

        Assert.Equal("kept", Encoding.UTF8.GetString(retained.Payload.Span));
        Assert.Equal(0, connection.Reconnects);
    }

    [Fact]
    public async Task PublishAsync_Qos1_CompletesAndSubscriberGetsExactPayload()
    {
        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "t/#");
        await using var connection = new MqttConnection(Options("pub"));
        await connection.ConnectAsync(MqttTestSubscriber.Cap());
        byte[] payload = [0, 1, 2, 250, 255, .. Encoding.UTF8.GetBytes("{\"é\":1}")];

        await connection.PublishAsync("t/exact", payload, qos: 1, retain: false, MqttTestSubscriber.Cap());
        MqttMessage received = await subscriber.NextAsync(MqttTestSubscriber.Cap());

        Assert.Equal("t/exact", received.Topic);
        Assert.Equal(payload, received.Payload.ToArray());
        Assert.Equal(0, connection.InFlight);
    }

    [Fact]
    public async Task PublishAsync_ManyConcurrentBeyondInFlightLimit_AllAcknowledgedAndDelivered()
    {
        const int count = 2000;
        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "burst/#");
        await using var connection = new MqttConnection(Options("burst") with { MaxInFlight = 16, WireInFlight = 8 });
        await connection.ConnectAsync(MqttTestSubscriber.Cap());

        CancellationToken cap = MqttTestSubscriber.Cap(60);
        await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
            connection.PublishAsync("burst/" + (i % 4), BitConverter.GetBytes(i), 1, false, cap)));
        List<MqttMessage> received = await subscriber.CollectAsync(count, _ => true, cap);

        Assert.Equal(Enumerable.Range(0, count), received.Select(m => BitConverter.ToInt32(m.Payload.Span)).Order());
        Assert.Equal(0, connection.InFlight);
    }

    [Fact]
    public async Task PublishAsync_Retained_LateSubscriberGetsIt()
    {
        await using var connection = new MqttConnection(Options("retainer"));
        await connection.ConnectAsync(MqttTestSubscriber.Cap());
        await connection.PublishAsync("r/state", "on"u8.ToArray(), 1, retain: true, MqttTestSubscriber.Cap());

        await using var late = await MqttTestSubscriber.StartAsync(_broker, "r/#");
        MqttMessage received = await late.NextAsync(MqttTestSubscriber.Cap());

        Assert.True(received.Retain);
        Assert.Equal("on", Encoding.UTF8.GetString(received.Payload.Span));
    }

    [Fact]
    public async Task ConnectionCut_WithoutDisconnect_BrokerSendsWillAndClientReconnects()
    {
        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "will/#");
        await using var relay = new TcpRelay(_broker.Host, _broker.Port);
        await using var connection = new MqttConnection(Options("willing") with
        {
            Port = relay.Port,
            ReconnectDelay = TimeSpan.FromMilliseconds(200),
            Will = new MqttWill("will/status", "offline"u8.ToArray(), Qos: 1, Retain: true),
        });
        var reconnected = new TaskCompletionSource<MqttConnectionStateChanged>(TaskCreationOptions.RunContinuationsAsynchronously);
        var lost = new TaskCompletionSource<MqttConnectionStateChanged>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.StateChanged += (_, e) =>
        {
            if (e.Connected && e.IsReconnect)
            {
                reconnected.TrySetResult(e);
            }
            else if (!e.Connected)
            {
                lost.TrySetResult(e);
            }
        };
        await connection.ConnectAsync(MqttTestSubscriber.Cap());

        // Cut the TCP connection under the client, as a crash or a dead uplink would: no DISCONNECT is sent.
        Assert.Equal(1, relay.CutAll());
        MqttMessage will = await subscriber.NextAsync(MqttTestSubscriber.Cap());
        MqttConnectionStateChanged down = await lost.Task.WaitAsync(MqttTestSubscriber.Cap());
        MqttConnectionStateChanged up = await reconnected.Task.WaitAsync(MqttTestSubscriber.Cap());

        await using var late = await MqttTestSubscriber.StartAsync(_broker, "will/#");
        MqttMessage retained = await late.NextAsync(MqttTestSubscriber.Cap());

        Assert.Equal(("will/status", "offline"), (will.Topic, Encoding.UTF8.GetString(will.Payload.Span)));
        Assert.Equal(("offline", true), (Encoding.UTF8.GetString(retained.Payload.Span), retained.Retain));
        Assert.NotEqual(0, down.ReasonCode);
        Assert.True(up.Connected);
        Assert.Equal(1, connection.Reconnects);
        Assert.Equal(1, ObservedMetric(connection, "edgesentry.mqtt.reconnects"));
    }

    /// <summary>The value of one of the connection's observable instruments (long or int) for its client id, read now.</summary>
    internal static long ObservedMetric(MqttConnection connection, string name)
    {
        long? value = null;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MqttConnection.MeterName && instrument.Name == name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, measurement, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "client_id" && Equals(tag.Value, connection.ClientId))
                {
                    value = measurement;
                }
            }
        });
        listener.SetMeasurementEventCallback<int>((_, measurement, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "client_id" && Equals(tag.Value, connection.ClientId))
                {
                    value = measurement;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return value ?? throw new InvalidOperationException($"metric {name} was not reported for {connection.ClientId}");
    }

    [Fact]
    public async Task DisconnectAsync_Graceful_BrokerDoesNotSendWill()
    {
        await using var connection = new MqttConnection(Options("graceful") with
        {
            Will = new MqttWill("grace/status", "offline"u8.ToArray(), Qos: 1, Retain: true),
        });
        await connection.ConnectAsync(MqttTestSubscriber.Cap());
        await connection.PublishAsync("grace/status", "stopped"u8.ToArray(), 1, true, MqttTestSubscriber.Cap());

        await connection.DisconnectAsync();
        await using var late = await MqttTestSubscriber.StartAsync(_broker, "grace/#");
        MqttMessage retained = await late.NextAsync(MqttTestSubscriber.Cap());

        // Had the will fired, the retained value would now be "offline".
        Assert.Equal("stopped", Encoding.UTF8.GetString(retained.Payload.Span));
    }

    [Fact]
    public async Task Options_InvalidValues_ListsEveryProblem()
    {
        var ex = Assert.Throws<ArgumentException>(() => new MqttConnection(new MqttConnectionOptions
        {
            Host = "",
            Port = 0,
            ClientId = "x",
            MaxInFlight = 0,
            Password = "secret-value",
        }));

        Assert.Contains("Host is empty", ex.Message);
        Assert.Contains("Port 0", ex.Message);
        Assert.Contains("MaxInFlight 0", ex.Message);
        Assert.Contains("Password is set without Username", ex.Message);
        Assert.DoesNotContain("secret-value", ex.Message);
        await Task.CompletedTask;
    }

    private MqttConnectionOptions Options(string clientId) => new()
    {
        Host = _broker.Host,
        Port = _broker.Port,
        ClientId = clientId + "-" + Guid.NewGuid().ToString("N")[..6],
    };

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
