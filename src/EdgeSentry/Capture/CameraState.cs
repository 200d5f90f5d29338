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
