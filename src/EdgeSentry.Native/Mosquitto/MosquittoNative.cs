using System.Runtime.InteropServices;

namespace EdgeSentry.Native.Mosquitto;

/// <summary>
/// Raw entry points of libmosquitto 2.0 (Debian libmosquitto1), in the order of mosquitto.h.
/// Every signature is blittable: strings go in as NUL-terminated UTF-8 <c>byte*</c>, C <c>bool</c> as <c>byte</c>.
/// </summary>
internal static unsafe partial class MosquittoNative
{
    // The versioned SONAME: the unversioned libmosquitto.so only comes with the -dev package.
    internal const string Library = "libmosquitto.so.1";

    [LibraryImport(Library, EntryPoint = "mosquitto_lib_version")]
    internal static partial int LibVersion(int* major, int* minor, int* revision);

    [LibraryImport(Library, EntryPoint = "mosquitto_lib_init")]
    internal static partial int LibInit();

    [LibraryImport(Library, EntryPoint = "mosquitto_lib_cleanup")]
    internal static partial int LibCleanup();

    // errno tells ENOMEM from EINVAL when NULL comes back.
    [LibraryImport(Library, EntryPoint = "mosquitto_new", SetLastError = true)]
    internal static partial IntPtr New(byte* id, byte cleanSession, IntPtr obj);

    [LibraryImport(Library, EntryPoint = "mosquitto_destroy")]
    internal static partial void Destroy(IntPtr mosq);

    [LibraryImport(Library, EntryPoint = "mosquitto_will_set")]
    internal static partial int WillSet(MosquittoHandle mosq, byte* topic, int payloadLength, byte* payload, int qos, byte retain);

    [LibraryImport(Library, EntryPoint = "mosquitto_username_pw_set")]
    internal static partial int UsernamePasswordSet(MosquittoHandle mosq, byte* username, byte* password);

    [LibraryImport(Library, EntryPoint = "mosquitto_connect_async", SetLastError = true)]
    internal static partial int ConnectAsync(MosquittoHandle mosq, byte* host, int port, int keepAlive);

    [LibraryImport(Library, EntryPoint = "mosquitto_reconnect_async", SetLastError = true)]
    internal static partial int ReconnectAsync(MosquittoHandle mosq);

    [LibraryImport(Library, EntryPoint = "mosquitto_disconnect")]
    internal static partial int Disconnect(MosquittoHandle mosq);

    [LibraryImport(Library, EntryPoint = "mosquitto_publish")]
    internal static partial int Publish(MosquittoHandle mosq, int* mid, byte* topic, int payloadLength, byte* payload, int qos, byte retain);

    [LibraryImport(Library, EntryPoint = "mosquitto_subscribe")]
    internal static partial int Subscribe(MosquittoHandle mosq, int* mid, byte* pattern, int qos);

    [LibraryImport(Library, EntryPoint = "mosquitto_loop_start")]
    internal static partial int LoopStart(MosquittoHandle mosq);

    [LibraryImport(Library, EntryPoint = "mosquitto_loop_stop")]
    internal static partial int LoopStop(MosquittoHandle mosq, byte force);

    [LibraryImport(Library, EntryPoint = "mosquitto_int_option")]
    internal static partial int IntOption(MosquittoHandle mosq, int option, int value);

    [LibraryImport(Library, EntryPoint = "mosquitto_reconnect_delay_set")]
    internal static partial int ReconnectDelaySet(MosquittoHandle mosq, uint delay, uint delayMax, byte exponentialBackoff);

    [LibraryImport(Library, EntryPoint = "mosquitto_max_inflight_messages_set")]
    internal static partial int MaxInflightMessagesSet(MosquittoHandle mosq, uint maxInflight);

    [LibraryImport(Library, EntryPoint = "mosquitto_tls_set")]
    internal static partial int TlsSet(MosquittoHandle mosq, byte* caFile, byte* caPath, byte* certFile, byte* keyFile, IntPtr passwordCallback);

    [LibraryImport(Library, EntryPoint = "mosquitto_connect_callback_set")]
    internal static partial void ConnectCallbackSet(MosquittoHandle mosq, delegate* unmanaged<IntPtr, IntPtr, int, void> callback);

    [LibraryImport(Library, EntryPoint = "mosquitto_disconnect_callback_set")]
    internal static partial void DisconnectCallbackSet(MosquittoHandle mosq, delegate* unmanaged<IntPtr, IntPtr, int, void> callback);

    [LibraryImport(Library, EntryPoint = "mosquitto_publish_v5_callback_set")]
    internal static partial void PublishV5CallbackSet(MosquittoHandle mosq, delegate* unmanaged<IntPtr, IntPtr, int, int, IntPtr, void> callback);

    [LibraryImport(Library, EntryPoint = "mosquitto_message_callback_set")]
    internal static partial void MessageCallbackSet(MosquittoHandle mosq, delegate* unmanaged<IntPtr, IntPtr, MosquittoMessage*, void> callback);

    [LibraryImport(Library, EntryPoint = "mosquitto_subscribe_callback_set")]
    internal static partial void SubscribeCallbackSet(MosquittoHandle mosq, delegate* unmanaged<IntPtr, IntPtr, int, int, int*, void> callback);

    [LibraryImport(Library, EntryPoint = "mosquitto_socket")]
    internal static partial int Socket(MosquittoHandle mosq);

    [LibraryImport(Library, EntryPoint = "mosquitto_strerror")]
    internal static partial byte* StrError(int code);

    [LibraryImport(Library, EntryPoint = "mosquitto_connack_string")]
    internal static partial byte* ConnackString(int code);

    [LibraryImport(Library, EntryPoint = "mosquitto_reason_string")]
    internal static partial byte* ReasonString(int code);

    /// <summary><c>struct mosquitto_message</c>: only valid for the duration of the message callback.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MosquittoMessage
    {
        public int Mid;
        public byte* Topic;
        public byte* Payload;
        public int PayloadLength;
        public int Qos;
        public byte Retain;
    }
}
