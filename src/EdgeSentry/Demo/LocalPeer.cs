using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EdgeSentry.Demo;

/// <summary>
/// A real peer (mosquitto, the GStreamer RTSP server) run as a child process on 127.0.0.1 for the
/// built-in demo and for tests. Ready when its port accepts connections; disposing kills its tree.
/// </summary>
public sealed class LocalPeer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private LocalPeer(string name, Process process, int port)
    {
        Name = name;
        _process = process;
        Port = port;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }
    public int Port { get; }
    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>The peer's recent output, for error messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public static bool PortAccepts(int port)
    {
        try
        {
            using var c = new TcpClient();
            c.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Starts <paramref name="executable"/> and waits until 127.0.0.1:<paramref name="port"/> accepts.</summary>
    public static async Task<LocalPeer> StartAsync(string name, string executable, IEnumerable<string> args, int port, string installHint, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"{name}: {executable} not found. {installHint}");
        }

        // Under setsid the peer gets its own session: a Ctrl-C in the terminal (SIGINT to the whole
        // foreground process group) then stops the service first, which still needs its broker to say
        // "stopped", and the service stops the peer afterwards.
        bool detach = File.Exists("/usr/bin/setsid");
        var psi = new ProcessStartInfo(detach ? "/usr/bin/setsid" : executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (detach)
        {
            psi.ArgumentList.Add(executable);
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException($"{name}: {executable} did not start");
        var peer = new LocalPeer(name, process, port);
        var deadline = DateTime.UtcNow + timeout;
        while (!PortAccepts(port))
        {
            if (process.HasExited)
            {
                string output = peer.Output;
                await peer.DisposeAsync();
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode} before listening on 127.0.0.1:{port}: {output}. {installHint}");
            }

            if (DateTime.UtcNow > deadline)
            {
                await peer.DisposeAsync();
                throw new InvalidOperationException($"{name} did not listen on 127.0.0.1:{port} within {timeout.TotalSeconds:0} s: {peer.Output}");
            }

            await Task.Delay(100, cancellationToken);
        }

        return peer;
    }

    /// <summary>Sends a POSIX signal (e.g. SIGSTOP/SIGCONT for stall tests).</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
            if (_output.Count > 50)
            {
                _output.RemoveAt(0);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (TimeoutException)
        {
            // Kill was sent; the OS reaps it.
        }

        _process.Dispose();
    }
}
