namespace EdgeSentry.Capture;

public enum RtspTransport
{
    Tcp,
    Udp,
}

/// <summary>
/// Where a camera's video comes from and how ffmpeg should read it. <see cref="Location"/> may carry
/// credentials and is only ever handed to ffmpeg's argument list; everything printable uses <see cref="Redacted"/>.
/// </summary>
public sealed record CameraInput
{
    public required string Location { get; init; }

    /// <summary>rtsp/rtsps/rtmp/http(s) streams are live; anything else is a file (or image).</summary>
    public bool IsLive => Location.Contains("://", StringComparison.Ordinal) && !Location.StartsWith("file://", StringComparison.OrdinalIgnoreCase);

    public bool IsRtsp => Location.StartsWith("rtsp://", StringComparison.OrdinalIgnoreCase) || Location.StartsWith("rtsps://", StringComparison.OrdinalIgnoreCase);

    public string Redacted => UrlRedactor.Redact(Location);

    public RtspTransport Transport { get; init; } = RtspTransport.Tcp;

    /// <summary>Socket timeout for network sources (ffmpeg retries it; the watchdog covers hangs).</summary>
    public TimeSpan SocketTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Files only: read at the native frame rate, like a camera would deliver them.</summary>
    public bool Realtime { get; init; }

    /// <summary>Files only: start again at the end, forever.</summary>
    public bool Loop { get; init; }

    /// <summary>Extra ffmpeg input flags such as hardware decode (e.g. "-hwaccel", "auto").</summary>
    public IReadOnlyList<string> ExtraInputArguments { get; init; } = [];
}
