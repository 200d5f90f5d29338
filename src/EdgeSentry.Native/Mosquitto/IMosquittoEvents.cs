namespace EdgeSentry.Native.Mosquitto;

/// <summary>
/// Receives a client's callbacks. They run on libmosquitto's network thread (or, rarely, on the thread calling
/// into the client), so implementations must be quick, thread safe and must not block on the client itself.
/// Spans are only valid during the call.
/// </summary>
public interface IMosquittoEvents
{
    /// <summary>CONNACK arrived; 0 is success, anything else is the MQTT 5 reason code (or 3.1.1 return code).</summary>
    void OnConnect(int reasonCode);

    /// <summary>The connection closed; 0 means our own disconnect, otherwise a mosquitto error (7 = connection lost).</summary>
    void OnDisconnect(int reasonCode);

    /// <summary>A QoS 1/2 message was acknowledged (a QoS 0 one was written); reason codes ≥ 128 are refusals.</summary>
    void OnPublish(int mid, int reasonCode);

    void OnMessage(ReadOnlySpan<byte> topicUtf8, ReadOnlySpan<byte> payload, int qos, bool retain);

    void OnSubscribe(int mid, ReadOnlySpan<int> grantedQos);

    /// <summary>A handler above threw; exceptions must not unwind into libmosquitto's C frames.</summary>
    void OnCallbackFault(Exception exception);
}
