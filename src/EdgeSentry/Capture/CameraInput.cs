using System.Net.Sockets;

namespace EdgeSentry.Capture;

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

    /// <summary>
    /// For RTSP sources, a plain TCP connect to the camera before any process is started: while a camera is
    /// down, each reconnect attempt then costs a refused SYN instead of forking ffmpeg, which keeps an outage
    /// from taking CPU away from the cameras that still work. Other sources pass through.
    /// </summary>
    public async Task CheckReachableAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!IsRtsp || !Uri.TryCreate(Location, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return;
        }

        int port = uri.IsDefaultPort || uri.Port <= 0 ? (uri.Scheme == "rtsps" ? 322 : 554) : uri.Port;
        using var client = new TcpClient();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await client.ConnectAsync(uri.Host, port, cts.Token);
        }
        catch (SocketException e)
        {
            throw new CaptureException($"{Redacted}: cannot connect to {uri.Host}:{port}: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CaptureException($"{Redacted}: no answer from {uri.Host}:{port} within {timeout.TotalSeconds:0} s");
        }
    }
}
