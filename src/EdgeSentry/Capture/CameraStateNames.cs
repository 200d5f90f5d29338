namespace EdgeSentry.Capture;

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
