using System.Buffers;
using System.Diagnostics.Metrics;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeSentry.Alerts;

/// <summary>
/// An MQTT connection over MQTTnet with awaitable acknowledgements that survives lost connections. One loop
/// connects and reconnects with backoff; one send pump puts publishes on the wire in the order they were begun
/// (bounded by the broker's Receive Maximum) and, after a reconnect, sends what was not acknowledged again before
/// anything newer. A packet larger than the broker's Maximum Packet Size (CONNACK) is never sent: its publish
/// fails with <see cref="MqttPublishException.TooLarge"/> so the caller can make it fit or set it aside.
/// </summary>
public sealed class MqttConnection : IAsyncDisposable, IDisposable
{
    public const string MeterName = "EdgeSentry.Alerts.Mqtt";

    // Fixed header (≤ 5) + topic length (2) + packet id (2) + property length (≤ 4): what a PUBLISH adds to topic and payload.
    private const int PublishOverheadBytes = 13;

    private readonly MqttConnectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IMqttClient _client;
    private readonly MqttClientOptions _clientOptions;
    private readonly SemaphoreSlim _inFlight;
    private readonly Channel<MqttMessage> _incoming;
    private readonly ByteCountingReader _incomingReader;
    private readonly Channel<PendingPublish> _outgoing;
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly CancellationTokenSource _disposing = new();

    // Publishes handed to the wire and not yet acknowledged, in send order: resent first after a reconnect.
    private readonly Lock _gate = new();
    private readonly LinkedList<PendingPublish> _unacknowledged = [];
    private readonly List<(string Pattern, int Qos)> _subscriptions = [];

    private Session? _session;
    private TaskCompletionSource<Session> _sessionReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _connectWaiter;
    private TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _loopStop;
    private Task _loop = Task.CompletedTask;
    private Task? _pump;
    private volatile bool _everConnected;
    private volatile string? _lastConnectError;
    private long _maximumPacketSize = long.MaxValue;
    private long _reconnects;
    private long _droppedIncoming;
    private long _incomingBytes;
    private int _loopStarted;
    private int _disposed;

    public MqttConnection(
        MqttConnectionOptions options, TimeProvider? time = null, ILogger<MqttConnection>? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _clientOptions = BuildClientOptions(options);
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        var tags = new KeyValuePair<string, object?>[] { new("client_id", options.ClientId) };
        _meter.CreateObservableGauge("edgesentry.mqtt.connected", () => new Measurement<int>(IsConnected ? 1 : 0, tags), description: "1 while connected to the broker");
        _meter.CreateObservableCounter("edgesentry.mqtt.reconnects", () => new Measurement<long>(Reconnects, tags), description: "Reconnects after a lost connection");
        _meter.CreateObservableGauge("edgesentry.mqtt.in_flight", () => new Measurement<int>(_disposed == 0 ? InFlight : 0, tags), description: "Publishes awaiting their acknowledgement");
        _meter.CreateObservableCounter("edgesentry.mqtt.incoming_dropped", () => new Measurement<long>(DroppedIncoming, tags), description: "Received messages dropped (full or oversized)");
        _inFlight = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
        _incoming = Channel.CreateBounded<MqttMessage>(
            new BoundedChannelOptions(options.IncomingCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleWriter = true },
            _ => Interlocked.Increment(ref _droppedIncoming));
        _incomingReader = new ByteCountingReader(_incoming.Reader, bytes => Interlocked.Add(ref _incomingBytes, -bytes));
        _outgoing = Channel.CreateUnbounded<PendingPublish>(new UnboundedChannelOptions { SingleReader = true });
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += OnDisconnectedAsync;
    }

    /// <summary>Raised on the connection loop whenever the connection comes up or goes down.</summary>
    public event EventHandler<MqttConnectionStateChanged>? StateChanged;

    public string Endpoint => _options.Endpoint;
    public string ClientId => _options.ClientId;
    public bool IsConnected => Volatile.Read(ref _session) is { IsLost: false };
    /// <summary>Successful reconnects after the first connection.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);
    /// <summary>Publishes queued or awaiting their acknowledgement.</summary>
    public int InFlight => _options.MaxInFlight - _inFlight.CurrentCount;
    /// <summary>Received messages dropped because the channel was full or the payload too large.</summary>
    public long DroppedIncoming => Interlocked.Read(ref _droppedIncoming);
    /// <summary>Messages received on subscribed topics (bounded; see <see cref="MqttConnectionOptions.IncomingCapacity"/>).</summary>
    public ChannelReader<MqttMessage> Messages => _incomingReader;
    /// <summary>Payload bytes received and not yet read from <see cref="Messages"/>.</summary>
    public long IncomingBytes => Interlocked.Read(ref _incomingBytes);

    /// <summary>The broker's Maximum Packet Size from the last CONNACK (<see cref="long.MaxValue"/> when it set none or before the first).</summary>
    public long MaximumPacketSize => Interlocked.Read(ref _maximumPacketSize);

    /// <summary>Completes once connected (at once if connected now), so a sender can learn the broker's limits first.</summary>
    public Task WhenConnectedAsync(CancellationToken cancellationToken) => Volatile.Read(ref _sessionReady).Task.WaitAsync(cancellationToken);

    /// <summary>The size of the PUBLISH packet this message becomes, to compare with <see cref="MaximumPacketSize"/>.</summary>
    public static long PacketSize(string topic, int payloadBytes) => PublishOverheadBytes + Encoding.UTF8.GetByteCount(topic) + (long)payloadBytes;

    /// <summary>
    /// Connects and completes on a successful CONNACK; from then on the connection reconnects by itself. Throws
    /// <see cref="MqttConnectException"/> naming host:port when the broker refuses, the host name does not resolve,
    /// or no CONNACK arrives within <see cref="MqttConnectionOptions.ConnectTimeout"/> (on the <see cref="TimeProvider"/>);
    /// the loop is stopped again in that case.
    /// </summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _connectWaiter, waiter);
        StartLoop();
        try
        {
            await waiter.Task.WaitAsync(_options.ConnectTimeout, _time, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or MqttConnectException or OperationCanceledException)
        {
            if (ex is TimeoutException)
            {
                // The first attempt is bounded by MQTTnet's own (real-time) ConnectTimeout: let it finish so the
                // error names what it met.
                await _firstAttempt.Task.WaitAsync(cancellationToken);
            }

            await StopLoopAsync();
            string reason = ex switch
            {
                TimeoutException => $"no successful CONNACK within {_options.ConnectTimeout.TotalSeconds:0.###} s"
                    + (_lastConnectError is { } last ? $" (last error: {last})" : string.Empty),
                _ => ex.Message,
            };
            AlertsLog.ConnectFailed(_logger, Endpoint, reason);
            if (ex is OperationCanceledException)
            {
                throw;
            }

            throw new MqttConnectException(ex is MqttConnectException ? reason : $"MQTT broker {Endpoint}: {reason}", ex);
        }
        finally
        {
            Volatile.Write(ref _connectWaiter, null);
        }
    }

    /// <summary>
    /// Starts connecting and returns at once: the loop keeps trying (with backoff) until the broker answers, and
    /// publishes queue up meanwhile. For an edge box that must start while its uplink is down.
    /// </summary>
    public void StartConnecting() => StartLoop();

    /// <summary>
    /// Publishes and completes when the broker has acknowledged the message (PUBACK for QoS 1; written for QoS 0).
    /// While the connection is down the message waits and is sent after the reconnect. Cancelling stops the wait
    /// only: a message already begun is still sent.
    /// </summary>
    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, int qos, bool retain, CancellationToken cancellationToken = default)
    {
        Task acknowledged = await BeginPublishAsync(topic, payload, qos, retain, cancellationToken);
        await acknowledged.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Waits for an in-flight slot and queues the message; the returned task completes when the broker
    /// acknowledges. Messages go on the wire in the order of completed calls, so a caller that awaits each call
    /// before the next keeps its order while many messages are still unacknowledged.
    /// </summary>
    public Task<Task> BeginPublishAsync(string topic, ReadOnlyMemory<byte> payload, int qos, bool retain, CancellationToken cancellationToken = default) =>
        BeginPublishAsync(topic, payload, qos, retain, expirySeconds: null, cancellationToken);

    /// <summary>As above, with an MQTT 5 message expiry interval in seconds (null: the message does not expire).</summary>
    public async Task<Task> BeginPublishAsync(string topic, ReadOnlyMemory<byte> payload, int qos, bool retain, int? expirySeconds, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(qos, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(qos, 2);
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload.ToArray())
            .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)qos)
            .WithRetainFlag(retain)
            .WithMessageExpiryInterval(expirySeconds is { } expiry ? (uint)expiry : 0)
            .Build();
        await _inFlight.WaitAsync(cancellationToken);
        var pending = new PendingPublish(message, PacketSize(topic, payload.Length));
        if (!_outgoing.Writer.TryWrite(pending))
        {
            _inFlight.Release();
            throw new ObjectDisposedException(nameof(MqttConnection));
        }

        return pending.Done.Task;
    }

    /// <summary>Subscribes now (completing on SUBACK) and again after every reconnect.</summary>
    public async Task SubscribeAsync(string pattern, int qos, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        lock (_gate)
        {
            _subscriptions.Add((pattern, qos));
        }

        Session session = await Volatile.Read(ref _sessionReady).Task.WaitAsync(cancellationToken);
        if (!session.IsLost)
        {
            await _client.SubscribeAsync(SubscribeOptions([(pattern, qos)]), cancellationToken);
        }
    }

    /// <summary>
    /// Registers a subscription made on every (re)connect, and now if connected, without waiting for the SUBACK:
    /// for consumers that must start while the broker may still be unreachable.
    /// </summary>
    public void SubscribeOnConnect(string pattern, int qos)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        lock (_gate)
        {
            _subscriptions.Add((pattern, qos));
        }

        if (IsConnected)
        {
            _ = SubscribeQuietlyAsync([(pattern, qos)]);
        }
    }

    /// <summary>
    /// Forgets a subscription (no longer made on reconnect) and, if connected, unsubscribes now; waits for the
    /// UNSUBACK when connected. Messages already queued in <see cref="Messages"/> stay there.
    /// </summary>
    public async Task UnsubscribeAsync(string pattern, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        lock (_gate)
        {
            _subscriptions.RemoveAll(s => s.Pattern == pattern);
        }

        if (!IsConnected)
        {
            return;
        }

        try
        {
            await _client.UnsubscribeAsync(new MqttClientUnsubscribeOptionsBuilder().WithTopicFilter(pattern).Build(), cancellationToken);
        }
        catch (Exception ex) when (ex is MqttCommunicationException or MqttClientNotConnectedException)
        {
            // The connection dropped: the next session starts without this subscription (clean) or keeps it until
            // the broker's session expires; the router ignores topics it no longer serves either way.
        }
    }

    /// <summary>Sends DISCONNECT (so the broker discards the will) and stops reconnecting.</summary>
    public async Task DisconnectAsync()
    {
        if (_disposed != 0)
        {
            return;
        }

        await StopLoopAsync();
        AlertsLog.Disconnected(_logger, Endpoint);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopLoopAsync();
        _outgoing.Writer.TryComplete();
        await _disposing.CancelAsync();
        if (_pump is not null)
        {
            await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        FailAll(new MqttPublishException($"the MQTT connection to {Endpoint} was closed before the broker acknowledged"));
        _incoming.Writer.TryComplete();
        _client.Dispose();
        _disposing.Dispose();
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void StartLoop()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (Interlocked.Exchange(ref _loopStarted, 1) != 0)
        {
            throw new InvalidOperationException($"the MQTT connection to {Endpoint} is already started; it keeps itself up");
        }

        _lastConnectError = null;
        _firstAttempt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loopStop = new CancellationTokenSource();
        _pump ??= Task.Run(() => PumpAsync(_disposing.Token));
        _loop = Task.Run(() => ConnectLoopAsync(_loopStop.Token));
    }

    private async Task StopLoopAsync()
    {
        if (Interlocked.Exchange(ref _loopStarted, 0) == 0)
        {
            return;
        }

        CancellationTokenSource stop = _loopStop!;
        await stop.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        stop.Dispose();
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build());
            }
            catch (MqttCommunicationException)
            {
                // Already gone: no DISCONNECT to send.
            }
        }

        EndSession(Volatile.Read(ref _session), 0, "disconnect requested");
    }

    /// <summary>Connects, waits for the connection to be lost, and connects again with paced, jittered backoff.</summary>
    private async Task ConnectLoopAsync(CancellationToken stop)
    {
        TimeSpan delay = _options.ReconnectDelay;
        while (!stop.IsCancellationRequested)
        {
            MqttClientConnectResult result;
            try
            {
                result = await _client.ConnectAsync(_clientOptions, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                // Every failure to connect is retried with backoff; only an unresolvable host name also fails a waiting ConnectAsync.
                string reason = Describe(ex);
                _lastConnectError = reason;
                if (FindSocketError(ex) is SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData)
                {
                    Volatile.Read(ref _connectWaiter)?.TrySetException(new MqttConnectException($"MQTT broker {Endpoint}: {reason}"));
                }

                AlertsLog.Unreachable(_logger, Endpoint, reason);
                _firstAttempt.TrySetResult();
                delay = await BackOffAsync(delay, stop);
                continue;
            }

            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                string text = $"{result.ResultCode} (code {(int)result.ResultCode}){(result.ReasonString is { Length: > 0 } said ? ": " + said : string.Empty)}";
                _lastConnectError = text;
                AlertsLog.ConnectionRefused(_logger, Endpoint, text);
                string refusal = $"MQTT broker {Endpoint} refused the connection: {text}";
                Volatile.Read(ref _connectWaiter)?.TrySetException(new MqttConnectException(refusal));
                StateChanged?.Invoke(this, new MqttConnectionStateChanged(false, _everConnected, (int)result.ResultCode, refusal));
                _firstAttempt.TrySetResult();
                delay = await BackOffAsync(delay, stop);
                continue;
            }

            delay = _options.ReconnectDelay;
            Session session = BeginSession(result);
            await SubscribeQuietlyAsync(SubscriptionsSnapshot());
            bool isReconnect = _everConnected;
            _everConnected = true;
            if (isReconnect)
            {
                long count = Interlocked.Increment(ref _reconnects);
                AlertsLog.Reconnected(_logger, Endpoint, count);
            }
            else
            {
                AlertsLog.Connected(_logger, Endpoint, _options.ClientId);
            }

            StateChanged?.Invoke(this, new MqttConnectionStateChanged(true, isReconnect, 0, "connected"));
            Volatile.Read(ref _connectWaiter)?.TrySetResult();
            _firstAttempt.TrySetResult();
            try
            {
                await session.Lost.Task.WaitAsync(stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            (int code, string lostReason) = session.Lost.Task.Result;
            AlertsLog.ConnectionLost(_logger, Endpoint, lostReason);
            StateChanged?.Invoke(this, new MqttConnectionStateChanged(false, false, code, lostReason));
            delay = await BackOffAsync(TimeSpan.Zero, stop);
        }
    }

    private async Task<TimeSpan> BackOffAsync(TimeSpan delay, CancellationToken stop)
    {
        if (delay > TimeSpan.Zero)
        {
            // Jitter keeps a fleet of edges that lost the same broker from reconnecting in lockstep.
            TimeSpan jittered = delay * (0.8 + (0.4 * Random.Shared.NextDouble()));
            try
            {
                await Task.Delay(jittered, _time, stop);
            }
            catch (OperationCanceledException)
            {
                return delay;
            }
        }

        long next = Math.Max(_options.ReconnectDelay.Ticks, delay.Ticks * 2);
        return TimeSpan.FromTicks(Math.Min(next, _options.ReconnectDelayMax.Ticks));
    }

    private Session BeginSession(MqttClientConnectResult result)
    {
        Interlocked.Exchange(ref _maximumPacketSize, result.MaximumPacketSize is { } max and > 0 ? max : long.MaxValue);
        int wire = Math.Min(_options.WireInFlight, result.ReceiveMaximum is { } receive and > 0 ? receive : ushort.MaxValue);
        var session = new Session(wire);
        lock (_gate)
        {
            Volatile.Write(ref _session, session);
            if (!_sessionReady.TrySetResult(session))
            {
                var ready = new TaskCompletionSource<Session>(TaskCreationOptions.RunContinuationsAsynchronously);
                ready.SetResult(session);
                Volatile.Write(ref _sessionReady, ready);
            }
        }

        return session;
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        if (!e.ClientWasConnected || Volatile.Read(ref _session) is not { IsLost: false } session)
        {
            return Task.CompletedTask;
        }

        int code = e.Reason == MqttClientDisconnectReason.NormalDisconnection
            ? (int)MqttClientDisconnectReason.UnspecifiedError
            : (int)e.Reason;
        string reason = e.Reason == MqttClientDisconnectReason.NormalDisconnection && e.Exception is { } ex
            ? Describe(ex)
            : $"{e.Reason} (code {(int)e.Reason}){(e.ReasonString is { Length: > 0 } s ? ": " + s : string.Empty)}";
        if (e.Reason == MqttClientDisconnectReason.PacketTooLarge)
        {
            FailLargestAsTooLarge();
        }

        EndSession(session, code, reason);
        return Task.CompletedTask;
    }

    /// <summary>Marks the session lost and makes waiters (the pump, subscribers) wait for the next one.</summary>
    private void EndSession(Session? session, int code, string reason)
    {
        if (session is null)
        {
            return;
        }

        lock (_gate)
        {
            if (_sessionReady.Task.IsCompletedSuccessfully && _sessionReady.Task.Result == session)
            {
                Volatile.Write(ref _sessionReady, new TaskCompletionSource<Session>(TaskCreationOptions.RunContinuationsAsynchronously));
            }
        }

        session.End(code, reason);
    }

    /// <summary>
    /// The only writer to the wire: resends what the last connection left unacknowledged, then new messages in
    /// order, each behind a Receive Maximum slot of the current session.
    /// </summary>
    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                Session session = await Volatile.Read(ref _sessionReady).Task.WaitAsync(cancellationToken);
                if (session.IsLost)
                {
                    // Lost between the wake-up and here; EndSession has already installed the next waiter.
                    continue;
                }

                PendingPublish[] again;
                lock (_gate)
                {
                    again = [.. _unacknowledged];
                }

                foreach (PendingPublish pending in again)
                {
                    if (!await SendAsync(pending, session, cancellationToken))
                    {
                        break;
                    }
                }

                while (!session.IsLost)
                {
                    Task<bool> readable = _outgoing.Reader.WaitToReadAsync(cancellationToken).AsTask();
                    if (await Task.WhenAny(readable, session.Lost.Task) != readable)
                    {
                        break;
                    }

                    if (!await readable)
                    {
                        return;
                    }

                    while (!session.IsLost && _outgoing.Reader.TryRead(out PendingPublish? pending))
                    {
                        if (pending.PacketBytes > MaximumPacketSize)
                        {
                            Fail(pending, TooLarge(pending, MaximumPacketSize));
                            continue;
                        }

                        lock (_gate)
                        {
                            pending.Node = _unacknowledged.AddLast(pending);
                        }

                        if (!await SendAsync(pending, session, cancellationToken))
                        {
                            break;
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed: whatever is still pending is failed by DisposeAsync.
        }
    }

    /// <summary>Hands one message to MQTTnet and tracks its PUBACK; false once the session is lost.</summary>
    private async Task<bool> SendAsync(PendingPublish pending, Session session, CancellationToken cancellationToken)
    {
        if (pending.PacketBytes > MaximumPacketSize)
        {
            lock (_gate)
            {
                RemoveLocked(pending);
            }

            Fail(pending, TooLarge(pending, MaximumPacketSize));
            return true;
        }

        Task lost = session.Lost.Task;
        Task slot = session.WireSlots.WaitAsync(cancellationToken);
        if (await Task.WhenAny(slot, lost) != slot)
        {
            _ = slot.ContinueWith(static (_, s) => ((SemaphoreSlim)s!).Release(), session.WireSlots, CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            return false;
        }

        Task<MqttClientPublishResult> publishing;
        try
        {
            // MQTTnet serialises writers on one lock that is taken in call order, so this keeps the wire order.
            publishing = _client.PublishAsync(pending.Message, _disposing.Token);
        }
        catch (Exception ex) when (ex is MqttClientNotConnectedException or MqttCommunicationException)
        {
            session.WireSlots.Release();
            return false;
        }

        _ = TrackAsync(pending, publishing, session);
        return true;
    }

    private async Task TrackAsync(PendingPublish pending, Task<MqttClientPublishResult> publishing, Session session)
    {
        MqttClientPublishResult result;
        try
        {
            result = await publishing;
        }
        catch (Exception ex) when (ex is MqttCommunicationException or MqttClientNotConnectedException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection went down first: the message stays unacknowledged and is sent again after the reconnect.
            return;
        }
        catch (Exception ex) when (ex is MqttProtocolViolationException or ArgumentException or NotSupportedException)
        {
            lock (_gate)
            {
                RemoveLocked(pending);
            }

            Fail(pending, new MqttPublishException($"publish to '{pending.Message.Topic}' on {Endpoint} failed: {ex.Message}", ex));
            return;
        }
        finally
        {
            session.WireSlots.Release();
        }

        lock (_gate)
        {
            RemoveLocked(pending);
        }

        // MQTT 5: 0x10 "no matching subscribers" is still a success; 0x80 and above are refusals.
        if ((int)result.ReasonCode < 0x80)
        {
            if (pending.Done.TrySetResult())
            {
                _inFlight.Release();
            }

            return;
        }

        string reason = $"{result.ReasonCode}{(result.ReasonString is { Length: > 0 } s ? ": " + s : string.Empty)}";
        AlertsLog.PublishRefused(_logger, Endpoint, reason);
        Fail(pending, new MqttPublishException(
            $"broker {Endpoint} refused the publish to '{pending.Message.Topic}': {reason} (reason code {(int)result.ReasonCode})")
        {
            BrokerReasonCode = (int)result.ReasonCode,
        });
    }

    private MqttPublishException TooLarge(PendingPublish pending, long maximum) =>
        new($"a {pending.PacketBytes}-byte publish to '{pending.Message.Topic}' exceeds the maximum packet size of broker {Endpoint} ({(maximum == long.MaxValue ? "unstated" : maximum)} bytes)")
        {
            TooLarge = true,
            PacketBytes = pending.PacketBytes,
        };

    /// <summary>
    /// A broker that did not state its Maximum Packet Size dropped the connection for a packet too large: the
    /// largest unacknowledged message is the one it choked on, and resending it would lose the connection forever.
    /// </summary>
    private void FailLargestAsTooLarge()
    {
        PendingPublish? largest = null;
        lock (_gate)
        {
            foreach (PendingPublish pending in _unacknowledged)
            {
                if (largest is null || pending.PacketBytes > largest.PacketBytes)
                {
                    largest = pending;
                }
            }

            if (largest is not null)
            {
                RemoveLocked(largest);
                Interlocked.Exchange(ref _maximumPacketSize, Math.Min(MaximumPacketSize, largest.PacketBytes - 1));
            }
        }

        if (largest is not null)
        {
            Fail(largest, TooLarge(largest, largest.PacketBytes - 1));
        }
    }

    private void Fail(PendingPublish pending, Exception exception)
    {
        if (pending.Done.TrySetException(exception))
        {
            _inFlight.Release();
        }
    }

    private void FailAll(Exception exception)
    {
        List<PendingPublish> orphans;
        lock (_gate)
        {
            orphans = [.. _unacknowledged];
            _unacknowledged.Clear();
        }

        while (_outgoing.Reader.TryRead(out PendingPublish? queued))
        {
            orphans.Add(queued);
        }

        foreach (PendingPublish orphan in orphans)
        {
            orphan.Done.TrySetException(exception);
        }
    }

    private void RemoveLocked(PendingPublish pending)
    {
        if (pending.Node is { List: not null } node)
        {
            _unacknowledged.Remove(node);
        }

        pending.Node = null;
    }

    private (string Pattern, int Qos)[] SubscriptionsSnapshot()
    {
        lock (_gate)
        {
            return [.. _subscriptions];
        }
    }

    private async Task SubscribeQuietlyAsync((string Pattern, int Qos)[] subscriptions)
    {
        if (subscriptions.Length == 0)
        {
            return;
        }

        try
        {
            await _client.SubscribeAsync(SubscribeOptions(subscriptions), _disposing.Token);
        }
        catch (Exception ex) when (ex is MqttCommunicationException or MqttClientNotConnectedException or OperationCanceledException)
        {
            // The connection dropped in between: the reconnect subscribes again.
        }
    }

    private static MqttClientSubscribeOptions SubscribeOptions(IEnumerable<(string Pattern, int Qos)> subscriptions)
    {
        var builder = new MqttClientSubscribeOptionsBuilder();
        foreach ((string pattern, int qos) in subscriptions)
        {
            builder.WithTopicFilter(pattern, (MqttQualityOfServiceLevel)qos);
        }

        return builder.Build();
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        MqttApplicationMessage message = e.ApplicationMessage;
        long length = message.Payload.Length;
        if (length > _options.MaxIncomingPayloadBytes)
        {
            Interlocked.Increment(ref _droppedIncoming);
            AlertsLog.IncomingDropped(_logger, message.Topic, $"payload of {length} bytes exceeds {_options.MaxIncomingPayloadBytes}");
            return Task.CompletedTask;
        }

        if (Interlocked.Add(ref _incomingBytes, length) > _options.IncomingCapacityBytes)
        {
            Interlocked.Add(ref _incomingBytes, -length);
            long dropped = Interlocked.Increment(ref _droppedIncoming);
            if (dropped == 1 || dropped % 1000 == 0)
            {
                AlertsLog.IncomingDropped(_logger, message.Topic, $"inbound queue holds more than {_options.IncomingCapacityBytes} bytes");
            }

            return Task.CompletedTask;
        }

        if (!_incoming.Writer.TryWrite(new MqttMessage(message.Topic, message.Payload.ToArray(), (int)message.QualityOfServiceLevel, message.Retain)))
        {
            // Full by count (counted by the channel's drop callback) or completed: the bytes were never queued.
            Interlocked.Add(ref _incomingBytes, -length);
        }

        return Task.CompletedTask;
    }

    private static MqttClientOptions BuildClientOptions(MqttConnectionOptions options)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(options.Host, options.Port)
            .WithClientId(options.ClientId)
            .WithKeepAlivePeriod(options.KeepAlive)
            .WithTimeout(options.ConnectTimeout)
            .WithProtocolVersion(options.ProtocolVersion == 5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311);
        builder = options.ProtocolVersion == 5
            ? builder.WithCleanStart(options.CleanStart).WithSessionExpiryInterval((uint)options.SessionExpiry.TotalSeconds)
            : builder.WithCleanSession(options.CleanStart);
        if (options.Username is not null)
        {
            builder = builder.WithCredentials(options.Username, options.Password);
        }

        if (options.Will is { } will)
        {
            builder = builder.WithWillTopic(will.Topic)
                .WithWillPayload(will.Payload.ToArray())
                .WithWillQualityOfServiceLevel((MqttQualityOfServiceLevel)will.Qos)
                .WithWillRetain(will.Retain);
        }

        if (options.Tls is { } tls)
        {
            var trust = new X509Certificate2Collection();
            if (tls.CaFile is not null)
            {
                trust.ImportFromPemFile(tls.CaFile);
            }

            if (tls.CaPath is not null)
            {
                foreach (string file in Directory.EnumerateFiles(tls.CaPath).Where(f => f.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".crt", StringComparison.OrdinalIgnoreCase)))
                {
                    trust.ImportFromPemFile(file);
                }
            }

            var tlsBuilder = new MqttClientTlsOptionsBuilder().UseTls().WithTrustChain(trust).WithTargetHost(options.Host);
            if (tls.CertFile is not null && tls.KeyFile is not null)
            {
                tlsBuilder = tlsBuilder.WithClientCertificates([X509Certificate2.CreateFromPemFile(tls.CertFile, tls.KeyFile)]);
            }

            builder = builder.WithTlsOptions(tlsBuilder.Build());
        }

        return builder.Build();
    }

    private static SocketError? FindSocketError(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is SocketException socket)
            {
                return socket.SocketErrorCode;
            }
        }

        return null;
    }

    /// <summary>The innermost message: "Connection refused" rather than MQTTnet's wrapper text.</summary>
    private static string Describe(Exception ex)
    {
        Exception inner = ex;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner.Message;
    }

    /// <summary>One connection between CONNACK and its loss, with its Receive Maximum slots.</summary>
    private sealed class Session(int wireSlots)
    {
        public SemaphoreSlim WireSlots { get; } = new(wireSlots, wireSlots);
        public TaskCompletionSource<(int Code, string Reason)> Lost { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool IsLost => Lost.Task.IsCompleted;

        public void End(int code, string reason) => Lost.TrySetResult((code, reason));
    }

    private sealed class PendingPublish(MqttApplicationMessage message, long packetBytes)
    {
        public MqttApplicationMessage Message { get; } = message;
        public long PacketBytes { get; } = packetBytes;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public LinkedListNode<PendingPublish>? Node { get; set; }
    }
}
