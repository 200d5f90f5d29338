using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeSentry.Tests.Peers;

/// <summary>
/// A real mosquitto broker on 127.0.0.1 with a free port, started from a temporary config. It can be stopped,
/// killed and started again on the same port, so outage tests can take the broker away under a live client.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/mosquitto";

    private readonly string directory;
    private readonly string configFile;
    private readonly StringBuilder log = new();
    private Process? process;

    private MosquittoBroker(int port, bool persistent)
    {
        Port = port;
        directory = Directory.CreateTempSubdirectory("edgesentry-mosquitto-").FullName;
        // Started as root, mosquitto drops to its own user, which must be able to write the persistence file here.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111);
        }

        configFile = Path.Combine(directory, "mosquitto.conf");
        string persistence = persistent
            ? $"persistence true\npersistence_location {directory}/\nautosave_interval 1"
            : "persistence false";
        // The default max_queued_messages (1000) silently drops what overflows a slow QoS 1 subscriber's queue
        // (STACK.md §B), which would make a lossless test fail for the broker's reasons.
        File.WriteAllText(configFile, $"""
            listener {port} 127.0.0.1
            allow_anonymous true
            {persistence}
            log_dest stdout
            log_type error
            log_type warning
            log_type notice
            max_queued_messages 1000000
            max_inflight_messages 0

            """);
    }

    public string Host => "127.0.0.1";
    public int Port { get; }
    public bool IsRunning => process is { HasExited: false };

    /// <summary>What the broker printed so far (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    /// <summary>
    /// Starts a broker. <paramref name="persistent"/> keeps sessions and their queued messages across a graceful
    /// restart (saved on SIGTERM), so a persistent-session subscriber misses nothing while the broker is away.
    /// </summary>
    public static async Task<MosquittoBroker> StartAsync(bool persistent = false, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException(
                $"{Executable} not found: install mosquitto (apt-get install mosquitto) or run scripts/install-prereqs.sh");
        }

        var broker = new MosquittoBroker(FreePort(), persistent);
        await broker.StartAgainAsync(cancellationToken);
        return broker;
    }

    /// <summary>Starts the broker (again) on the same port and returns once the port accepts connections.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("the broker is already running");
        }

        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(configFile);
        var started = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Executable}");
        started.OutputDataReceived += (_, e) => Append(e.Data);
        started.ErrorDataReceived += (_, e) => Append(e.Data);
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        process = started;

        // A generous cap, not a timing assertion: only a broken broker takes this long.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(20));
        while (true)
        {
            if (started.HasExited)
            {
                throw new InvalidOperationException($"mosquitto exited with code {started.ExitCode} on port {Port}:\n{Log}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port, deadline.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(20, deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new InvalidOperationException($"mosquitto did not accept connections on {Host}:{Port}:\n{Log}");
            }
        }
    }

    /// <summary>Graceful stop (SIGTERM): clients see their connection closed.</summary>
    public async Task StopAsync()
    {
        if (process is { HasExited: false } running)
        {
            using var term = Process.Start("kill", ["-TERM", running.Id.ToString()]);
            await term.WaitForExitAsync();
            await running.WaitForExitAsync();
        }
    }

    /// <summary>SIGKILL: the broker vanishes without closing anything.</summary>
    public async Task KillAsync()
    {
        if (process is { HasExited: false } running)
        {
            running.Kill(entireProcessTree: true);
            await running.WaitForExitAsync();
        }
    }

    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync();
        await StartAgainAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process?.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            // Bounded: a chatty broker must not grow the test process without limit.
            if (log.Length < 64 * 1024)
            {
                log.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
