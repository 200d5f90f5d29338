namespace EdgeSentry.Native.Mosquitto;

/// <summary>The libmosquitto 2.0 return codes that callers branch on (enum mosq_err_t).</summary>
public enum MosquittoError
{
    Success = 0,
    NoMemory = 1,
    Protocol = 2,
    Invalid = 3,
    NoConnection = 4,
    ConnectionRefused = 5,
    NotFound = 6,
    ConnectionLost = 7,
    Tls = 8,
    PayloadSize = 9,
    NotSupported = 10,
    Auth = 11,
    AclDenied = 12,
    Unknown = 13,
    Errno = 14,
    AddressLookup = 15,
    Proxy = 16,
    MalformedUtf8 = 18,
    Keepalive = 19,
    Lookup = 20,
    OversizePacket = 25,
}
