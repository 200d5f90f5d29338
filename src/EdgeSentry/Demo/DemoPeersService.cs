using EdgeSentry.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Demo;

/// <summary>
/// The built-in demo's real peers (mosquitto, the GStreamer RTSP server with the sample clips) as a hosted service.
/// Registered before the node, so the host starts it first (the broker and the RTSP mounts listen before the node
/// connects) and stops it last (after the node has drained its alerts and left "stopped" on the broker).
/// Without a <c>demo</c> section it does nothing.
/// </summary>
public sealed class DemoPeersService : IHostedService, IAsyncDisposable
{
    private readonly DemoSection? _demo;
    private readonly MqttSection _mqtt;
    private readonly ILogger _logger;
    private readonly List<LocalPeer> _peers = [];

    public DemoPeersService(EdgeSentrySection options, ILogger<DemoPeersService> logger)
    {
        _demo = options.Demo;
        _mqtt = options.Mqtt;
        _logger = logger;
    }

    /// <summary>The peers this service started (an already running broker on the port is used, not started).</summary>
    public IReadOnlyList<LocalPeer> Peers
    {
        get
        {
            lock (_peers)
            {
                return [.. _peers];
            }
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_demo is null)
        {
            return;
        }

        try
        {
            if (_demo.StartBroker && _mqtt.Host is "127.0.0.1" or "localhost")
            {
                if (LocalPeer.PortAccepts(_mqtt.Port))
                {
                    DemoLog.PeerStarted(_logger, "existing broker", _mqtt.Port);
                }
                else
                {
                    Keep(await DemoPeers.StartMosquittoAsync(_mqtt.Port, cancellationToken));
                    DemoLog.PeerStarted(_logger, "mosquitto", _mqtt.Port);
                }
            }

            if (_demo.RtspServer is { Clips.Count: > 0 } rtsp)
            {
                if (LocalPeer.PortAccepts(rtsp.Port))
                {
                    throw new InvalidOperationException($"demo RTSP server: port 127.0.0.1:{rtsp.Port} is already in use (set demo.rtspServer.port)");
                }

                string script = Path.Combine(ConfigLoader.SharedDirectory(), "tools", "rtsp_serve.py");
                Keep(await DemoPeers.StartRtspServerAsync(script, rtsp.Port, rtsp.Clips, loop: true, cancellationToken));
                DemoLog.PeerStarted(_logger, "RTSP server", rtsp.Port);
            }
        }
        catch
        {
            // A host whose start fails does not stop the services that did start: the peers started so far go here.
            await DisposeAsync();
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    /// <summary>Stops the peers, last started first; safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        List<LocalPeer> started;
        lock (_peers)
        {
            started = [.. _peers];
            _peers.Clear();
        }

        started.Reverse();
        foreach (var peer in started)
        {
            await peer.DisposeAsync();
        }

        if (started.Count > 0)
        {
            DemoLog.PeersStopped(_logger, string.Join(", ", started.Select(p => $"{p.Name} (127.0.0.1:{p.Port})")));
        }
    }

    private void Keep(LocalPeer peer)
    {
        lock (_peers)
        {
            _peers.Add(peer);
        }
    }
}
