namespace EdgeSentry.Capture;

/// <summary>Published retained per camera; the words are part of the MQTT contract.</summary>
public enum CameraState
{
    Starting,
    Online,
    Reconnecting,
    Offline,
    Ended,
}

public static class CameraStateNames
{
    public static string ToWire(this CameraState state) => state switch
    {
        CameraState.Starting => "starting",
        CameraState.Online => "online",
        CameraState.Reconnecting => "reconnecting",
        CameraState.Offline => "offline",
        CameraState.Ended => "ended",
        _ => "unknown",
    };
}
