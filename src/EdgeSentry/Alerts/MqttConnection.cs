using System.Diagnostics.Metrics;
using System.Text;
using System.Threading.Channels;
using EdgeSentry.Native.Mosquitto;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Alerts;

/// <summary>
/// An MQTT 5 connection over libmosquitto with awaitable acknowledgements. libmosquitto's network thread runs
/// the socket, reconnects by itself after a lost connection and resends unacknowledged QoS 1 messages; this
/// class bounds how many publishes may await their PUBACK, maps each message id to its waiting task, and turns
/// the callbacks into state events, a message channel and logs.
/// </summary>
public sealed class MqttConnection : IMosquittoEvents, IAsyncDisposable, IDisposable
{
    public const string MeterName = "EdgeSentry.Alerts.Mqtt";

    private readonly MqttConnectionOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly MosquittoClient client;
    private readonly SemaphoreSlim inFlight;
    private readonly Channel<MqttMessage> incoming;
    private readonly Meter meter;
    private readonly bool ownsMeter;

    // The PUBACK can beat mosquitto_publish's return (the network thread is already running), so an ack for a
    // mid nobody has registered yet is parked in earlyAcks and claimed by the publisher when it registers.
    private readonly Lock ackGate = new();
    private readonly Dictionary<int, TaskCompletionSource> pending = [];
    private readonly Dictionary<int, int> earlyAcks = [];
    private readonly Dictionary<int, TaskCompletionSource> pendingSubscribes = [];
    private readonly HashSet<int> earlySubacks = [];
    private readonly HashSet<int> resubscribeMids = [];
    private readonly List<(string Pattern, int Qos)> subscriptions = [];

    private TaskCompletionSource? connectWaiter;
    private volatile bool connected;
    private volatile bool everConnected;
    private volatile bool stopping;
    private volatile string? lastConnectError;
    private int loopStarted;
    // libmosquitto's network thread only starts its own retry loop once a connect attempt got past the socket
    // stage (its state leaves "new"); while the very first attempt is refused, this timer retries instead.
    private readonly Lock firstConnectGate = new();
    private ITimer? firstConnectRetry;
    private TimeSpan firstConnectDelay;
    private long reconnects;
    private long droppedIncoming;
    private int disposed;

    public MqttConnection(
        MqttConnectionOptions options, TimeProvider? time = null, ILogger<MqttConnection>? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        ownsMeter = meterFactory is null;
        meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        var tags = new KeyValuePair<string, object?>[] { new("client_id", options.ClientId) };
        meter.CreateObservableGauge("edgesentry.mqtt.connected", () => new Measurement<int>(connected ? 1 : 0, tags), description: "1 while connected to the broker");
        meter.CreateObservableCounter("edgesentry.mqtt.reconnects", () => new Measurement<long>(Reconnects, tags), description: "Reconnects after a lost connection");
        meter.CreateObservableGauge("edgesentry.mqtt.in_flight", () => new Measurement<int>(disposed == 0 ? InFlight : 0, tags), description: "Publishes awaiting their acknowledgement");
        meter.CreateObservableCounter("edgesentry.mqtt.incoming_dropped", () => new Measurement<long>(DroppedIncoming, tags), description: "Received messages dropped (full or oversized)");
        this.time = time ?? TimeProvider.System;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        inFlight = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
        incoming = Channel.CreateBounded<MqttMessage>(
            new BoundedChannelOptions(options.IncomingCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleWriter = true },
            _ => Interlocked.Increment(ref droppedIncoming));

        client = new MosquittoClient(options.ClientId, options.CleanStart, this);
        try
        {
            client.SetProtocolVersion(options.ProtocolVersion);
            client.SetMaxInflight(options.WireInFlight);
            client.SetReconnectDelay(options.ReconnectDelay, options.ReconnectDelayMax, exponentialBackoff: true);
            if (options.Username is not null)
            {
                client.SetCredentials(options.Username, options.Password);
            }

            if (options.Tls is { } tls)
            {
                client.SetTls(tls.CaFile, tls.CaPath, tls.CertFile, tls.KeyFile);
            }

            if (options.Will is { } will)
            {
                client.SetWill(will.Topic, will.Payload.Span, will.Qos, will.Retain);
            }
        }
        catch (MosquittoException ex)
        {
            client.Dispose();
            if (ownsMeter)
            {
                meter.Dispose();
            }

            throw new ArgumentException($"MQTT options for {options.Endpoint} were rejected by libmosquitto: {ex.Message}", nameof(options), ex);
        }
    }

    /// <summary>Raised on libmosquitto's network thread whenever the connection comes up or goes down.</summary>
    public event EventHandler<MqttConnectionStateChanged>? StateChanged;

    public string Endpoint => options.Endpoint;
    public string ClientId => options.ClientId;

    /// <summary>The live socket descriptor (-1 when down); tests shut it down to cut the line without a DISCONNECT.</summary>
    internal int NativeSocket => client.Socket;
    public bool IsConnected => connected;
    /// <summary>Successful reconnects after the first connection.</summary>
    public long Reconnects => Interlocked.Read(ref reconnects);
    /// <summary>Publishes still awaiting their acknowledgement.</summary>
    public int InFlight => options.MaxInFlight - inFlight.CurrentCount;
    /// <summary>Received messages dropped because the channel was full or the payload too large.</summary>
    public long DroppedIncoming => Interlocked.Read(ref droppedIncoming);
    /// <summary>Messages received on subscribed topics (bounded; see <see cref="MqttConnectionOptions.IncomingCapacity"/>).</summary>
    public ChannelReader<MqttMessage> Messages => incoming.Reader;

    /// <summary>
    /// Connects and completes on a successful CONNACK. Throws <see cref="MqttConnectException"/> naming host:port
    /// when the broker refuses, or when no CONNACK arrives within <see cref="MqttConnectionOptions.ConnectTimeout"/>
    /// (measured on the <see cref="TimeProvider"/>); the network loop is stopped again in that case.
    /// </summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        TaskCompletionSource waiter = BeginConnect();
        try
        {
            await waiter.Task.WaitAsync(options.ConnectTimeout, time, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or MqttConnectException or OperationCanceledException)
        {
            await StopLoopAsync();
            string reason = ex switch
            {
                TimeoutException => $"no successful CONNACK within {options.ConnectTimeout.TotalSeconds:0.###} s"
                    + (lastConnectError is { } last ? $" (last error: {last})" : string.Empty),
                _ => ex.Message,
            };
            AlertsLog.ConnectFailed(logger, Endpoint, reason);
            if (ex is OperationCanceledException)
            {
                throw;
            }

            throw new MqttConnectException(ex is MqttConnectException ? reason : $"MQTT broker {Endpoint}: {reason}", ex);
        }
    }

    /// <summary>
    /// Starts connecting and returns at once: libmosquitto keeps trying until the broker answers, and QoS 1
    /// publishes queue up meanwhile. For an edge box that must start while its uplink is down. Throws only for
    /// errors no retry can fix (e.g. a host name that does not resolve).
    /// </summary>
    public void StartConnecting()
    {
        // Nobody awaits the first CONNACK here; refusals are logged and raised through StateChanged instead.
        _ = BeginConnect().Task.ContinueWith(
            static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    private TaskCompletionSource BeginConnect()
    {
        ObjectDisposedException.ThrowIf(disposed != 0, this);
        if (Interlocked.Exchange(ref loopStarted, 1) != 0)
        {
            throw new InvalidOperationException($"the MQTT connection to {Endpoint} is already started; libmosquitto keeps it up");
        }

        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref connectWaiter, waiter);
        stopping = false;
        lastConnectError = null;

        int rc = client.ConnectAsync(options.Host, options.Port, (int)options.KeepAlive.TotalSeconds, out int errno);
        if (rc != 0)
        {
            string reason = MosquittoLibrary.Describe(rc, errno);
            // A refused or failed TCP connect is retried by the network loop; anything else (bad host name,
            // invalid arguments) would make the loop quit at once.
            if (rc != (int)MosquittoError.Errno)
            {
                Volatile.Write(ref loopStarted, 0);
                AlertsLog.ConnectFailed(logger, Endpoint, reason);
                throw new MqttConnectException($"MQTT broker {Endpoint}: {reason}");
            }

            lastConnectError = reason;
            AlertsLog.Unreachable(logger, Endpoint, reason);
            lock (firstConnectGate)
            {
                firstConnectDelay = options.ReconnectDelay;
                firstConnectRetry = time.CreateTimer(_ => RetryFirstConnect(), null, firstConnectDelay, Timeout.InfiniteTimeSpan);
            }
        }

        client.LoopStart();
        return waiter;
    }

    private void RetryFirstConnect()
    {
        lock (firstConnectGate)
        {
            if (firstConnectRetry is null || stopping || disposed != 0)
            {
                return;
            }

            int rc = client.ReconnectAsync(out int errno);
            if (rc == 0)
            {
                // From here on the network thread owns reconnecting.
                firstConnectRetry.Dispose();
                firstConnectRetry = null;
                return;
            }

            string reason = MosquittoLibrary.Describe(rc, errno);
            lastConnectError = reason;
            if (rc != (int)MosquittoError.Errno)
            {
                firstConnectRetry.Dispose();
                firstConnectRetry = null;
                AlertsLog.ConnectFailed(logger, Endpoint, reason);
                Volatile.Read(ref connectWaiter)?.TrySetException(new MqttConnectException($"MQTT broker {Endpoint}: {reason}"));
                return;
            }

            firstConnectDelay = TimeSpan.FromTicks(Math.Min(firstConnectDelay.Ticks * 2, options.ReconnectDelayMax.Ticks));
            firstConnectRetry.Change(firstConnectDelay, Timeout.InfiniteTimeSpan);
        }
    }

    private void CancelFirstConnectRetry()
    {
        lock (firstConnectGate)
        {
            firstConnectRetry?.Dispose();
            firstConnectRetry = null;
        }
    }

    /// <summary>
    /// Publishes and completes when the broker has acknowledged the message (PUBACK for QoS 1; written to the
    /// socket for QoS 0). Waits for an in-flight slot first. While the connection is down, QoS 1 messages stay
    /// queued in libmosquitto and complete after the reconnect. Cancelling stops the wait only: a message already
    /// handed to libmosquitto is still sent.
    /// </summary>
    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, int qos, bool retain, CancellationToken cancellationToken = default)
    {
        Task acknowledged = await BeginPublishAsync(topic, payload, qos, retain, cancellationToken);
        await acknowledged.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Waits for an in-flight slot and hands the message to libmosquitto; the returned task completes when the
    /// broker acknowledges. Messages go on the wire in the order of completed calls, so a caller that awaits each
    /// call before the next keeps its order while still pipelining many unacknowledged messages.
    /// </summary>
    public async Task<Task> BeginPublishAsync(string topic, ReadOnlyMemory<byte> payload, int qos, bool retain, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed != 0, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(qos, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(qos, 2);
        byte[] topicZ = MosquittoClient.ToUtf8Z(topic, nameof(topic))!;

        await inFlight.WaitAsync(cancellationToken);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int rc;
        int mid;
        try
        {
            ObjectDisposedException.ThrowIf(disposed != 0, this);
            rc = client.TryPublish(topicZ, payload.Span, qos, retain, out mid);
        }
        catch
        {
            inFlight.Release();
            throw;
        }

        if (rc != 0 && !(rc == (int)MosquittoError.NoConnection && qos > 0))
        {
            inFlight.Release();
            throw new MqttPublishException($"publish to '{topic}' on {Endpoint} failed: {MosquittoLibrary.Describe(rc)}");
        }

        int? earlyReason = null;
        lock (ackGate)
        {
            if (earlyAcks.Remove(mid, out int reason))
            {
                earlyReason = reason;
            }
            else
            {
                pending.Add(mid, done);
            }
        }

        if (earlyReason is { } code)
        {
            Complete(done, code, topic);
        }

        return done.Task;
    }

    /// <summary>Subscribes (again after every reconnect: the session starts clean) and completes on SUBACK.</summary>
    public async Task SubscribeAsync(string pattern, int qos, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed != 0, this);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (ackGate)
        {
            subscriptions.Add((pattern, qos));
        }

        int mid = client.Subscribe(pattern, qos);
        bool early;
        lock (ackGate)
        {
            early = earlySubacks.Remove(mid);
            if (!early)
            {
                pendingSubscribes.Add(mid, done);
            }
        }

        if (early)
        {
            done.TrySetResult();
        }

        await done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Registers a subscription made on every (re)connect, and now if connected, without waiting for the SUBACK:
    /// for consumers that must start while the broker may still be unreachable.
    /// </summary>
    public void SubscribeOnConnect(string pattern, int qos)
    {
        ObjectDisposedException.ThrowIf(disposed != 0, this);
        lock (ackGate)
        {
            subscriptions.Add((pattern, qos));
        }

        if (!connected)
        {
            return;
        }

        try
        {
            int mid = client.Subscribe(pattern, qos);
            lock (ackGate)
            {
                resubscribeMids.Add(mid);
            }
        }
        catch (MosquittoException) when (!connected)
        {
            // The connection dropped in between: the reconnect subscribes.
        }
    }

    /// <summary>Sends DISCONNECT (so the broker discards the will) and stops the network thread.</summary>
    public async Task DisconnectAsync()
    {
        if (disposed != 0)
        {
            return;
        }

        await StopLoopAsync();
        AlertsLog.Disconnected(logger, Endpoint);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        // Joining the network thread blocks; keep it off the caller's thread.
        await Task.Run(Shutdown);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        Shutdown();
    }

    private void Shutdown()
    {
        stopping = true;
        CancelFirstConnectRetry();
        client.Dispose();
        connected = false;
        TaskCompletionSource[] orphans;
        lock (ackGate)
        {
            orphans = [.. pending.Values, .. pendingSubscribes.Values];
            pending.Clear();
            pendingSubscribes.Clear();
        }

        foreach (TaskCompletionSource orphan in orphans)
        {
            orphan.TrySetException(new MqttPublishException($"the MQTT connection to {Endpoint} was closed before the broker acknowledged"));
        }

        incoming.Writer.TryComplete();
        if (ownsMeter)
        {
            meter.Dispose();
        }

        inFlight.Dispose();
    }

    private Task StopLoopAsync() => Task.Run(() =>
    {
        stopping = true;
        CancelFirstConnectRetry();
        client.Disconnect();
        client.LoopStop();
        connected = false;
        Volatile.Write(ref loopStarted, 0);
    });

    private void Complete(TaskCompletionSource done, int reasonCode, string? topic)
    {
        // MQTT 5: 0x10 "no matching subscribers" is still a success; 0x80 and above are refusals.
        if (reasonCode < 0x80)
        {
            done.TrySetResult();
            return;
        }

        string reason = MosquittoLibrary.ReasonText(reasonCode);
        AlertsLog.PublishRefused(logger, Endpoint, reason);
        done.TrySetException(new MqttPublishException(
            $"broker {Endpoint} refused the publish{(topic is null ? string.Empty : $" to '{topic}'")}: {reason} (reason code {reasonCode})")
        {
            BrokerReasonCode = reasonCode,
        });
    }

    void IMosquittoEvents.OnConnect(int reasonCode)
    {
        if (reasonCode != 0)
        {
            // Under MQTT 3.1.1 the callback carries a CONNACK return code, under MQTT 5 a reason code.
            string text = options.ProtocolVersion == 5 ? MosquittoLibrary.ReasonText(reasonCode) : MosquittoLibrary.ConnackText(reasonCode);
            string refusal = $"MQTT broker {Endpoint} refused the connection: {text} (code {reasonCode})";
            AlertsLog.ConnectionRefused(logger, Endpoint, $"{text} (code {reasonCode})");
            if (!everConnected)
            {
                Volatile.Read(ref connectWaiter)?.TrySetException(new MqttConnectException(refusal));
            }

            StateChanged?.Invoke(this, new MqttConnectionStateChanged(false, everConnected, reasonCode, refusal));
            return;
        }

        if (stopping)
        {
            // A reconnect that was already under way when we asked to stop; without this the loop would carry on.
            client.Disconnect();
            return;
        }

        connected = true;
        bool isReconnect = everConnected;
        everConnected = true;
        if (isReconnect)
        {
            long count = Interlocked.Increment(ref reconnects);
            AlertsLog.Reconnected(logger, Endpoint, count);
        }
        else
        {
            AlertsLog.Connected(logger, Endpoint, options.ClientId);
        }

        // On every connect, not only reconnects: a subscription registered while the broker was still unreachable
        // (SubscribeOnConnect) is first made here. Subscribing twice to one pattern is harmless in MQTT.
        (string Pattern, int Qos)[] again;
        lock (ackGate)
        {
            again = [.. subscriptions];
        }

        // Runs on the network thread, which also reads the SUBACKs: they cannot arrive before these mids are noted.
        foreach ((string pattern, int qos) in again)
        {
            int mid = client.Subscribe(pattern, qos);
            lock (ackGate)
            {
                resubscribeMids.Add(mid);
            }
        }

        StateChanged?.Invoke(this, new MqttConnectionStateChanged(true, isReconnect, 0, "connected"));
        Volatile.Read(ref connectWaiter)?.TrySetResult();
    }

    void IMosquittoEvents.OnDisconnect(int reasonCode)
    {
        bool wasConnected = connected;
        connected = false;
        string reason = reasonCode == 0 ? "disconnect requested" : MosquittoLibrary.Describe(reasonCode);
        if (reasonCode != 0 && wasConnected)
        {
            AlertsLog.ConnectionLost(logger, Endpoint, reason);
        }

        StateChanged?.Invoke(this, new MqttConnectionStateChanged(false, false, reasonCode, reason));
    }

    void IMosquittoEvents.OnPublish(int mid, int reasonCode)
    {
        TaskCompletionSource? done;
        lock (ackGate)
        {
            if (!pending.Remove(mid, out done))
            {
                earlyAcks[mid] = reasonCode;
            }
        }

        if (disposed == 0)
        {
            inFlight.Release();
        }

        if (done is not null)
        {
            Complete(done, reasonCode, topic: null);
        }
    }

    void IMosquittoEvents.OnMessage(ReadOnlySpan<byte> topicUtf8, ReadOnlySpan<byte> payload, int qos, bool retain)
    {
        string topic = Encoding.UTF8.GetString(topicUtf8);
        if (payload.Length > options.MaxIncomingPayloadBytes)
        {
            Interlocked.Increment(ref droppedIncoming);
            AlertsLog.IncomingDropped(logger, topic, $"payload of {payload.Length} bytes exceeds {options.MaxIncomingPayloadBytes}");
            return;
        }

        incoming.Writer.TryWrite(new MqttMessage(topic, payload.ToArray(), qos, retain));
    }

    void IMosquittoEvents.OnSubscribe(int mid, ReadOnlySpan<int> grantedQos)
    {
        TaskCompletionSource? done;
        lock (ackGate)
        {
            if (!pendingSubscribes.Remove(mid, out done) && !resubscribeMids.Remove(mid))
            {
                earlySubacks.Add(mid);
            }
        }

        done?.TrySetResult();
    }

    void IMosquittoEvents.OnCallbackFault(Exception exception) => AlertsLog.CallbackFault(logger, exception);
}
