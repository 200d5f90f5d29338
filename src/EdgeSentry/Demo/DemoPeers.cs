namespace EdgeSentry.Demo;

/// <summary>Starts the real peers the demo and the tests use: mosquitto and the GStreamer RTSP server.</summary>
public static class DemoPeers
{
    public const string MosquittoHint = "Install mosquitto (apt-get install mosquitto) or run scripts/install-prereqs.sh.";
    public const string RtspHint = "The RTSP server needs /usr/bin/python3 with python3-gi and the GStreamer RTSP server (apt-get install python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav), or run scripts/install-prereqs.sh.";

    /// <summary>mosquitto on 127.0.0.1:<paramref name="port"/>, anonymous, no persistence.</summary>
    public static async Task<LocalPeer> StartMosquittoAsync(int port, CancellationToken cancellationToken = default)
    {
        var dir = Directory.CreateTempSubdirectory("edgesentry-mosquitto-");
        var conf = Path.Combine(dir.FullName, "mosquitto.conf");
        await File.WriteAllTextAsync(conf, $"""
            listener {port} 127.0.0.1
            allow_anonymous true
            persistence false
            max_queued_messages 100000
            """, cancellationToken);
        return await LocalPeer.StartAsync("mosquitto", "/usr/sbin/mosquitto", ["-c", conf], port, MosquittoHint, TimeSpan.FromSeconds(10), cancellationToken);
    }

    /// <summary>
    /// The GStreamer RTSP server from shared/tools serving <paramref name="mounts"/> (name → file) as
    /// rtsp://127.0.0.1:PORT/NAME; <paramref name="loop"/> emulates a live camera.
    /// </summary>
    public static Task<LocalPeer> StartRtspServerAsync(string script, int port, IReadOnlyDictionary<string, string> mounts, bool loop, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"RTSP server script {script} not found (it lives in shared/tools beside the repository)");
        }

        var args = new List<string> { script, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--mode", loop ? "loop" : "once" };
        foreach (var (name, file) in mounts)
        {
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"RTSP mount {name}: clip {file} not found", file);
            }

            args.Add(name + "=" + file);
        }

        return LocalPeer.StartAsync("rtsp server", "/usr/bin/python3", args, port, RtspHint, TimeSpan.FromSeconds(20), cancellationToken);
    }
}
