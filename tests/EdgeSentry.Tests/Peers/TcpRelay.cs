using System.Net;
using System.Net.Sockets;

namespace EdgeSentry.Tests.Peers;

/// <summary>
/// A TCP relay on a free loopback port in front of a real peer. <see cref="CutAll"/> resets every relayed
/// connection at once, as a dead uplink or a crash would: neither side gets an MQTT DISCONNECT, the peer behind
/// stays up, and new connections are relayed again at once.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<(Socket Client, Socket Target)> _pairs = [];
    private readonly Task _accepting;
    private int _cuts;
    private volatile bool _paused;

    public TcpRelay(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Host => "127.0.0.1";
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections reset by <see cref="CutAll"/> so far.</summary>
    public int Cuts => Volatile.Read(ref _cuts);

    /// <summary>While paused, new connections are reset at once: the uplink is down, the broker is not.</summary>
    public void Pause() => _paused = true;

    public void Resume() => _paused = false;

    /// <summary>Resets (RST, no FIN) every live relayed connection; returns how many it cut.</summary>
    public int CutAll()
    {
        List<(Socket Client, Socket Target)> pairs;
        lock (_gate)
        {
            pairs = [.. _pairs];
            _pairs.Clear();
        }

        foreach ((Socket client, Socket target) in pairs)
        {
            client.LingerState = new LingerOption(true, 0);
            target.LingerState = new LingerOption(true, 0);
            client.Close();
            target.Close();
        }

        Interlocked.Add(ref _cuts, pairs.Count);
        return pairs.Count;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        CutAll();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client = await _listener.AcceptSocketAsync(_stop.Token);
            if (_paused)
            {
                client.LingerState = new LingerOption(true, 0);
                client.Close();
                continue;
            }

            var target = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await target.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            }
            catch (SocketException)
            {
                client.Close();
                target.Dispose();
                continue;
            }

            lock (_gate)
            {
                _pairs.Add((client, target));
            }

            _ = PipeAsync(client, target);
            _ = PipeAsync(target, client);
        }
    }

    private static async Task PipeAsync(Socket from, Socket to)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Cut or closed: the other direction ends the same way.
        }
    }
}
