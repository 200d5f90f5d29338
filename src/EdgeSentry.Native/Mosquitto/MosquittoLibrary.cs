using System.Runtime.InteropServices;

namespace EdgeSentry.Native.Mosquitto;

/// <summary>
/// Process-wide libmosquitto state. <c>mosquitto_lib_init</c> is not thread safe and must run once before any
/// client exists; <c>mosquitto_lib_cleanup</c> runs once at process exit, when no client can still be using it.
/// </summary>
public static unsafe class MosquittoLibrary
{
    private static readonly Lock Gate = new();
    private static bool initialized;
    private static int liveClients;

    /// <summary>The loaded library's version, e.g. (2, 0, 11).</summary>
    public static (int Major, int Minor, int Revision) Version
    {
        get
        {
            int major, minor, revision;
            _ = MosquittoNative.LibVersion(&major, &minor, &revision);
            return (major, minor, revision);
        }
    }

    /// <summary>libmosquitto's text for a return code; for <see cref="MosquittoError.Errno"/> the errno text is appended.</summary>
    public static string Describe(int code, int errno = 0)
    {
        string text = Marshal.PtrToStringUTF8((IntPtr)MosquittoNative.StrError(code)) ?? $"mosquitto error {code}";
        return code == (int)MosquittoError.Errno && errno != 0
            ? $"{text}: {Marshal.GetPInvokeErrorMessage(errno)}"
            : text;
    }

    /// <summary>The text of an MQTT 3.1.1 CONNACK return code.</summary>
    public static string ConnackText(int code) =>
        Marshal.PtrToStringUTF8((IntPtr)MosquittoNative.ConnackString(code)) ?? $"CONNACK code {code}";

    /// <summary>The text of an MQTT 5 reason code (CONNACK, PUBACK, DISCONNECT).</summary>
    public static string ReasonText(int code) =>
        Marshal.PtrToStringUTF8((IntPtr)MosquittoNative.ReasonString(code)) ?? $"reason code {code}";

    internal static void AddClient()
    {
        lock (Gate)
        {
            if (!initialized)
            {
                int rc = MosquittoNative.LibInit();
                if (rc != 0)
                {
                    throw new MosquittoException("mosquitto_lib_init", rc);
                }

                initialized = true;
                AppDomain.CurrentDomain.ProcessExit += static (_, _) => CleanupAtExit();
            }

            liveClients++;
        }
    }

    internal static void RemoveClient()
    {
        lock (Gate)
        {
            liveClients--;
        }
    }

    private static void CleanupAtExit()
    {
        lock (Gate)
        {
            // A client that was never disposed may still own a loop thread; freeing the library under it would crash.
            if (initialized && liveClients == 0)
            {
                // Always MOSQ_ERR_SUCCESS per mosquitto.h.
                _ = MosquittoNative.LibCleanup();
                initialized = false;
            }
        }
    }
}
