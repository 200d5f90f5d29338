using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace EdgeSentry.Native.Mosquitto;

/// <summary>
/// One libmosquitto client instance. Callbacks are static <see cref="UnmanagedCallersOnlyAttribute"/> functions;
/// libmosquitto hands them its <c>obj</c> user pointer, which is a GCHandle to the <see cref="IMosquittoEvents"/>
/// receiver. The handle is strong so that a live loop thread can never call into a collected object: the client
/// must be disposed, which stops the loop before the handle is freed.
/// </summary>
public sealed unsafe class MosquittoClient : IDisposable
{
    private readonly MosquittoHandle handle;
    private GCHandle events;
    private bool loopRunning;
    private int disposed;

    public MosquittoClient(string? clientId, bool cleanStart, IMosquittoEvents receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        MosquittoLibrary.AddClient();
        events = GCHandle.Alloc(receiver);
        IntPtr raw;
        fixed (byte* id = ToUtf8Z(clientId, nameof(clientId)))
        {
            raw = MosquittoNative.New(id, cleanStart ? (byte)1 : (byte)0, GCHandle.ToIntPtr(events));
        }

        if (raw == IntPtr.Zero)
        {
            int errno = Marshal.GetLastPInvokeError();
            MosquittoLibrary.RemoveClient();
            events.Free();
            throw new MosquittoException($"mosquitto_new failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        handle = new MosquittoHandle(raw);
        MosquittoNative.ConnectCallbackSet(handle, &OnConnect);
        MosquittoNative.DisconnectCallbackSet(handle, &OnDisconnect);
        MosquittoNative.PublishV5CallbackSet(handle, &OnPublish);
        MosquittoNative.MessageCallbackSet(handle, &OnMessage);
        MosquittoNative.SubscribeCallbackSet(handle, &OnSubscribe);
    }

    /// <summary>4 = MQTT 3.1.1, 5 = MQTT 5 (reason codes on every acknowledgement). Call before connecting.</summary>
    public void SetProtocolVersion(int version) =>
        Check("mosquitto_int_option(PROTOCOL_VERSION)", MosquittoNative.IntOption(handle, 1, version));

    public void SetCredentials(string username, string? password)
    {
        fixed (byte* user = ToUtf8Z(username, nameof(username)))
        fixed (byte* pass = ToUtf8Z(password, nameof(password)))
        {
            Check("mosquitto_username_pw_set", MosquittoNative.UsernamePasswordSet(handle, user, pass));
        }
    }

    /// <summary>TLS with a CA file (or directory) and optionally a client certificate and key (PEM, unencrypted key).</summary>
    public void SetTls(string? caFile, string? caPath, string? certFile, string? keyFile)
    {
        fixed (byte* ca = ToUtf8Z(caFile, nameof(caFile)))
        fixed (byte* caDir = ToUtf8Z(caPath, nameof(caPath)))
        fixed (byte* cert = ToUtf8Z(certFile, nameof(certFile)))
        fixed (byte* key = ToUtf8Z(keyFile, nameof(keyFile)))
        {
            Check("mosquitto_tls_set", MosquittoNative.TlsSet(handle, ca, caDir, cert, key, IntPtr.Zero));
        }
    }

    /// <summary>The last will; it travels in CONNECT, so it must be set before connecting.</summary>
    public void SetWill(string topic, ReadOnlySpan<byte> payload, int qos, bool retain)
    {
        fixed (byte* t = ToUtf8Z(topic, nameof(topic)))
        fixed (byte* p = payload)
        {
            Check("mosquitto_will_set", MosquittoNative.WillSet(handle, t, payload.Length, p, qos, retain ? (byte)1 : (byte)0));
        }
    }

    public void SetReconnectDelay(TimeSpan delay, TimeSpan maxDelay, bool exponentialBackoff) =>
        Check("mosquitto_reconnect_delay_set", MosquittoNative.ReconnectDelaySet(
            handle, (uint)Math.Max(1, delay.TotalSeconds), (uint)Math.Max(1, maxDelay.TotalSeconds), exponentialBackoff ? (byte)1 : (byte)0));

    /// <summary>QoS 1/2 messages on the wire at once; the rest wait in libmosquitto's (unbounded) queue.</summary>
    public void SetMaxInflight(int messages) =>
        Check("mosquitto_max_inflight_messages_set", MosquittoNative.MaxInflightMessagesSet(handle, (uint)messages));

    /// <summary>
    /// Starts a non-blocking connect. The return code and errno are handed back rather than thrown: with the loop
    /// running, libmosquitto keeps retrying after a refused or lost connection, so the caller decides what is fatal.
    /// </summary>
    public int ConnectAsync(string host, int port, int keepAliveSeconds, out int errno)
    {
        int rc;
        fixed (byte* h = ToUtf8Z(host, nameof(host)))
        {
            rc = MosquittoNative.ConnectAsync(handle, h, port, keepAliveSeconds);
        }

        errno = rc == (int)MosquittoError.Errno ? Marshal.GetLastPInvokeError() : 0;
        return rc;
    }

    /// <summary>
    /// Tries the connection again, non-blocking. Needed only while the very first attempt keeps failing: the
    /// network thread waits until a connect attempt has got past the socket stage before it takes over retries.
    /// </summary>
    public int ReconnectAsync(out int errno)
    {
        int rc = MosquittoNative.ReconnectAsync(handle);
        errno = rc == (int)MosquittoError.Errno ? Marshal.GetLastPInvokeError() : 0;
        return rc;
    }

    /// <summary>Starts libmosquitto's network thread, which also reconnects by itself after a lost connection.</summary>
    public void LoopStart()
    {
        Check("mosquitto_loop_start", MosquittoNative.LoopStart(handle));
        loopRunning = true;
    }

    /// <summary>
    /// Joins the network thread. It only leaves once a disconnect was requested, so call <see cref="Disconnect"/>
    /// first. Never forced: pthread_cancel could land while the thread runs managed callback code.
    /// </summary>
    public void LoopStop()
    {
        if (loopRunning)
        {
            MosquittoNative.LoopStop(handle, 0);
            loopRunning = false;
        }
    }

    /// <summary>The connection's socket descriptor, or -1 while not connected (tests use it to cut the line).</summary>
    public int Socket => MosquittoNative.Socket(handle);

    /// <summary>Sends DISCONNECT (the broker then drops the will). Returns NO_CONN when not connected.</summary>
    public int Disconnect() => MosquittoNative.Disconnect(handle);

    /// <summary>
    /// Queues a message and returns libmosquitto's code without throwing. For QoS ≥ 1 a NO_CONN result still
    /// queues the message (it is sent after the reconnect), so only the caller knows whether that is a failure.
    /// The acknowledgement (<see cref="IMosquittoEvents.OnPublish"/>) can arrive before this returns.
    /// </summary>
    public int TryPublish(ReadOnlySpan<byte> topicUtf8Z, ReadOnlySpan<byte> payload, int qos, bool retain, out int mid)
    {
        if (topicUtf8Z.IsEmpty || topicUtf8Z[^1] != 0)
        {
            throw new ArgumentException("topic must be NUL-terminated UTF-8", nameof(topicUtf8Z));
        }

        int m = 0;
        int rc;
        fixed (byte* t = topicUtf8Z)
        fixed (byte* p = payload)
        {
            rc = MosquittoNative.Publish(handle, &m, t, payload.Length, p, qos, retain ? (byte)1 : (byte)0);
        }

        mid = m;
        return rc;
    }

    /// <summary>Publishes and throws on any error other than the queued-while-disconnected case of QoS ≥ 1.</summary>
    public int Publish(string topic, ReadOnlySpan<byte> payload, int qos, bool retain)
    {
        int rc = TryPublish(ToUtf8Z(topic, nameof(topic)), payload, qos, retain, out int mid);
        if (rc != 0 && !(rc == (int)MosquittoError.NoConnection && qos > 0))
        {
            throw new MosquittoException($"mosquitto_publish to '{topic}'", rc);
        }

        return mid;
    }

    /// <summary>Sends SUBSCRIBE and returns its mid; SUBACK arrives through <see cref="IMosquittoEvents.OnSubscribe"/>.</summary>
    public int Subscribe(string pattern, int qos)
    {
        int mid = 0;
        int rc;
        fixed (byte* p = ToUtf8Z(pattern, nameof(pattern)))
        {
            rc = MosquittoNative.Subscribe(handle, &mid, p, qos);
        }

        Check($"mosquitto_subscribe to '{pattern}'", rc);
        return mid;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        if (loopRunning)
        {
            Disconnect();
            LoopStop();
        }

        handle.Dispose();
        events.Free();
    }

    /// <summary>UTF-8 with the terminating NUL libmosquitto expects; null stays null (a NULL pointer).</summary>
    public static byte[]? ToUtf8Z(string? text, string what)
    {
        if (text is null)
        {
            return null;
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{what} must not contain NUL characters", what);
        }

        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    private static void Check(string operation, int rc)
    {
        if (rc != 0)
        {
            throw new MosquittoException(operation, rc);
        }
    }

    private static IMosquittoEvents? Receiver(IntPtr obj) =>
        obj == IntPtr.Zero ? null : GCHandle.FromIntPtr(obj).Target as IMosquittoEvents;

    [UnmanagedCallersOnly]
    private static void OnConnect(IntPtr mosq, IntPtr obj, int rc)
    {
        IMosquittoEvents? receiver = Receiver(obj);
        try
        {
            receiver?.OnConnect(rc);
        }
        catch (Exception ex)
        {
            receiver?.OnCallbackFault(ex);
        }
    }

    [UnmanagedCallersOnly]
    private static void OnDisconnect(IntPtr mosq, IntPtr obj, int rc)
    {
        IMosquittoEvents? receiver = Receiver(obj);
        try
        {
            receiver?.OnDisconnect(rc);
        }
        catch (Exception ex)
        {
            receiver?.OnCallbackFault(ex);
        }
    }

    [UnmanagedCallersOnly]
    private static void OnPublish(IntPtr mosq, IntPtr obj, int mid, int reasonCode, IntPtr properties)
    {
        IMosquittoEvents? receiver = Receiver(obj);
        try
        {
            receiver?.OnPublish(mid, reasonCode);
        }
        catch (Exception ex)
        {
            receiver?.OnCallbackFault(ex);
        }
    }

    [UnmanagedCallersOnly]
    private static void OnMessage(IntPtr mosq, IntPtr obj, MosquittoNative.MosquittoMessage* message)
    {
        IMosquittoEvents? receiver = Receiver(obj);
        try
        {
            if (receiver is not null && message is not null)
            {
                var topic = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(message->Topic);
                var payload = message->Payload is null || message->PayloadLength <= 0
                    ? ReadOnlySpan<byte>.Empty
                    : new ReadOnlySpan<byte>(message->Payload, message->PayloadLength);
                receiver.OnMessage(topic, payload, message->Qos, message->Retain != 0);
            }
        }
        catch (Exception ex)
        {
            receiver?.OnCallbackFault(ex);
        }
    }

    [UnmanagedCallersOnly]
    private static void OnSubscribe(IntPtr mosq, IntPtr obj, int mid, int qosCount, int* grantedQos)
    {
        IMosquittoEvents? receiver = Receiver(obj);
        try
        {
            receiver?.OnSubscribe(mid, grantedQos is null ? ReadOnlySpan<int>.Empty : new ReadOnlySpan<int>(grantedQos, qosCount));
        }
        catch (Exception ex)
        {
            receiver?.OnCallbackFault(ex);
        }
    }
}
