using EdgeSentry.Demo;

namespace EdgeSentry.Tests.Peers;

/// <summary>The real GStreamer RTSP server (shared/tools/rtsp_serve.py) on a free loopback port.</summary>
public static class RtspServer
{
    public static Task<LocalPeer> StartAsync(bool loop, params (string Name, string Clip)[] mounts) =>
        StartAsync(LocalPeer.FreePort(), loop, mounts);

    public static Task<LocalPeer> StartAsync(int port, bool loop, params (string Name, string Clip)[] mounts) =>
        DemoPeers.StartRtspServerAsync(
            Path.Combine(SharedPaths.Tools, "rtsp_serve.py"),
            port,
            mounts.ToDictionary(m => m.Name, m => SharedPaths.Clip(m.Clip)),
            loop);

    public static string Url(this LocalPeer server, string name) => $"rtsp://127.0.0.1:{server.Port}/{name}";
}
