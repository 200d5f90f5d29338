using System.Net;
using System.Net.Sockets;
using EdgeSentry.Configuration;
using EdgeSentry.Demo;
using EdgeSentry.Http;
using EdgeSentry.Pipeline;
using EdgeSentry.Tests.Peers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Tests.Demo;

/// <summary>The built-in demo's peers as their own hosted service, started before the node and stopped after it; real mosquitto.</summary>
public class DemoPeersServiceTests
{
    [Fact]
    public async Task StartAsync_DemoBrokerOnAFreePort_StartsMosquittoThereAndStopAsyncStopsIt()
    {
        int port = LocalPeer.FreePort();
        await using var peers = new DemoPeersService(Options(port, new DemoSection { StartBroker = true }), NullLogger<DemoPeersService>.Instance);

        await peers.StartAsync(MqttTestSubscriber.Cap(30));
        Assert.True(LocalPeer.PortAccepts(port), $"no broker on 127.0.0.1:{port} after start");
        var broker = Assert.Single(peers.Peers);
        Assert.Equal("mosquitto", broker.Name);

        await peers.StopAsync(CancellationToken.None);
        Assert.Empty(peers.Peers);
        Assert.False(LocalPeer.PortAccepts(port), $"mosquitto still listening on 127.0.0.1:{port} after stop");
    }

    [Fact]
    public async Task StartAsync_RtspPortTaken_FailsNamingThePortAndStopsTheBrokerItStarted()
    {
        int brokerPort = LocalPeer.FreePort();
        // A real occupant of the RTSP port.
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        int rtspPort = ((IPEndPoint)occupant.LocalEndpoint).Port;
        var demo = new DemoSection
        {
            StartBroker = true,
            RtspServer = new DemoRtspSection { Port = rtspPort, Clips = new() { ["yard"] = SharedPaths.Clip("intel_worker_zone_preview_h264.mp4") } },
        };
        await using var peers = new DemoPeersService(Options(brokerPort, demo), NullLogger<DemoPeersService>.Instance);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => peers.StartAsync(MqttTestSubscriber.Cap(30)));

        Assert.Contains($"127.0.0.1:{rtspPort} is already in use", e.Message, StringComparison.Ordinal);
        Assert.Empty(peers.Peers);
        Assert.False(LocalPeer.PortAccepts(brokerPort), "the broker started before the failure is still listening");
    }

    [Fact]
    public async Task StartAsync_NoDemoSection_StartsNothing()
    {
        int port = LocalPeer.FreePort();
        await using var peers = new DemoPeersService(Options(port, demo: null), NullLogger<DemoPeersService>.Instance);

        await peers.StartAsync(CancellationToken.None);

        Assert.Empty(peers.Peers);
        Assert.False(LocalPeer.PortAccepts(port));
    }

    [Fact]
    public async Task Build_EdgeApplication_RunsTheDemoPeersBeforeTheNode()
    {
        var options = Options(LocalPeer.FreePort(), new DemoSection { StartBroker = true });
        options.Http.Listen = "127.0.0.1:0";
        await using var app = EdgeApplication.Build(options, _ => { });

        // Hosted services start in this order and stop in the reverse one.
        var order = app.Services.GetServices<IHostedService>().Select(s => s.GetType()).ToList();

        int peers = order.IndexOf(typeof(DemoPeersService));
        int node = order.IndexOf(typeof(EdgeSentryService));
        Assert.True(peers >= 0 && node >= 0, "hosted services: " + string.Join(", ", order.Select(t => t.Name)));
        Assert.True(peers < node, "the demo's peers must start before the node: " + string.Join(", ", order.Select(t => t.Name)));
    }

    private static EdgeSentrySection Options(int brokerPort, DemoSection? demo) => new()
    {
        Mqtt = new MqttSection { Host = "127.0.0.1", Port = brokerPort },
        Demo = demo,
    };
}
