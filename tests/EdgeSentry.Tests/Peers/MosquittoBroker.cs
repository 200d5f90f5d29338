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

    private readonly string _directory;
    private readonly string _configFile;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private MosquittoBroker(int port, MosquittoBrokerSettings settings)
    {
        Port = port;
        _directory = Directory.CreateTempSubdirectory("edgesentry-mosquitto-").FullName;
        // Started as root, mosquitto drops to its own user, which must be able to write the persistence file here.
        OpenToAll(_directory, directory: true);
        _configFile = Path.Combine(_directory, "mosquitto.conf");
        string persistence = settings.Persistent
            ? $"persistence true\npersistence_location {_directory}/\nautosave_interval 1"
            : "persistence false";
        string authentication = "allow_anonymous true";
        if (settings.Users.Count > 0)
        {
            string passwords = Path.Combine(_directory, "passwords");
            File.WriteAllLines(passwords, settings.Users.Select(u => $"{u.Key}:{u.Value}"));
            Run("mosquitto_passwd", "-U", passwords);
            OpenToAll(passwords, directory: false);
            authentication = $"allow_anonymous false\npassword_file {passwords}";
        }

        if (settings.AclFile is { } acl)
        {
            authentication += $"\nacl_file {acl}";
        }

        string tls = string.Empty;
        if (settings.Tls)
        {
            Certificates = TestCertificates.Create(_directory);
            tls = $"cafile {Certificates.CaFile}\ncertfile {Certificates.ServerCertFile}\nkeyfile {Certificates.ServerKeyFile}\n"
                + $"require_certificate {(settings.RequireClientCertificate ? "true" : "false")}";
        }
        // The default max_queued_messages (1000) silently drops what overflows a slow QoS 1 subscriber's queue
        // (STACK.md §B), which would make a lossless test fail for the broker's reasons.
        File.WriteAllText(_configFile, $"""
            listener {port} 127.0.0.1
            {tls}
            {authentication}
            {persistence}
            log_dest stdout
            log_type error
            log_type warning
            log_type notice
            max_queued_messages 1000000
            max_inflight_messages 0
            {(settings.MaxPacketSize is { } max ? $"max_packet_size {max}" : string.Empty)}

            """);
    }

    public string Host => "127.0.0.1";

    /// <summary>Set when the broker was started with TLS: the CA that signed it and a client certificate.</summary>
    public TestCertificates? Certificates { get; }
    public int Port { get; }
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>What the broker printed so far (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// Starts a broker. <paramref name="persistent"/> keeps sessions and their queued messages across a graceful
    /// restart (saved on SIGTERM), so a persistent-session subscriber misses nothing while the broker is away.
    /// </summary>
    public static Task<MosquittoBroker> StartAsync(bool persistent = false, CancellationToken cancellationToken = default) =>
        StartAsync(new MosquittoBrokerSettings { Persistent = persistent }, cancellationToken);

    /// <summary>A plain broker on a port chosen by the test (e.g. one the service already tries to reach).</summary>
    public static Task<MosquittoBroker> StartAsync(int port, CancellationToken cancellationToken = default) =>
        StartAsync(new MosquittoBrokerSettings(), port, cancellationToken);

    public static Task<MosquittoBroker> StartAsync(MosquittoBrokerSettings settings, CancellationToken cancellationToken = default) =>
        StartAsync(settings, null, cancellationToken);

    public static async Task<MosquittoBroker> StartAsync(MosquittoBrokerSettings settings, int? port, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException(
                $"{Executable} not found: install mosquitto (apt-get install mosquitto) or run scripts/install-prereqs.sh");
        }

        var broker = new MosquittoBroker(port ?? EdgeSentry.Demo.LocalPeer.FreePort(), settings);
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
        start.ArgumentList.Add(_configFile);
        var started = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Executable}");
        started.OutputDataReceived += (_, e) => Append(e.Data);
        started.ErrorDataReceived += (_, e) => Append(e.Data);
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        _process = started;

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
        if (_process is { HasExited: false } running)
        {
            using var term = Process.Start("kill", ["-TERM", running.Id.ToString()]);
            await term.WaitForExitAsync();
            await running.WaitForExitAsync();
        }
    }

    /// <summary>SIGKILL: the broker vanishes without closing anything.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } running)
        {
            running.Kill(entireProcessTree: true);
            await running.WaitForExitAsync();
        }
    }

    /// <summary>Sends a signal to the broker (e.g. "STOP" to freeze it with connections open, "CONT" to resume).</summary>
    public void Signal(string signal)
    {
        if (_process is { HasExited: false } running)
        {
            using var kill = Process.Start("kill", [$"-{signal}", running.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
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
        _process?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            // Bounded: a chatty broker must not grow the test process without limit.
            if (_log.Length < 64 * 1024)
            {
                _log.AppendLine(line);
            }
        }
    }

    internal static void Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process tool;
        try
        {
            tool = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{file} not found: install mosquitto and openssl (apt-get install mosquitto openssl) or run scripts/install-prereqs.sh", ex);
        }

        using (tool)
        {
            string errors = tool.StandardError.ReadToEnd();
            tool.StandardOutput.ReadToEnd();
            tool.WaitForExit();
            if (tool.ExitCode != 0)
            {
                throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed with {tool.ExitCode}: {errors}");
            }
        }
    }

    internal static void OpenToAll(string path, bool directory)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, directory ? (UnixFileMode)0b111_111_111 : (UnixFileMode)0b110_100_100);
        }
    }

}

/// <summary>How a test broker is set up.</summary>
public sealed record MosquittoBrokerSettings
{
    /// <summary>Sessions and queued messages survive a graceful restart.</summary>
    public bool Persistent { get; init; }
    /// <summary>When not empty, anonymous clients are refused and these user/password pairs are accepted.</summary>
    public IReadOnlyDictionary<string, string> Users { get; init; } = new Dictionary<string, string>();
    /// <summary>TLS-only listener with a freshly generated CA and server certificate (SAN IP 127.0.0.1).</summary>
    public bool Tls { get; init; }
    public bool RequireClientCertificate { get; init; }
    /// <summary>mosquitto's max_packet_size: it states it in CONNACK and drops a client that sends more.</summary>
    public int? MaxPacketSize { get; init; }
    /// <summary>A mosquitto acl_file (used from where it is, e.g. deploy/mosquitto/); needs <see cref="Users"/>.</summary>
    public string? AclFile { get; init; }
}

/// <summary>A throw-away CA, server and client certificate made with the real openssl CLI.</summary>
public sealed record TestCertificates(string CaFile, string ServerCertFile, string ServerKeyFile, string ClientCertFile, string ClientKeyFile)
{
    public static TestCertificates Create(string directory)
    {
        string F(string name) => Path.Combine(directory, name);
        File.WriteAllText(F("server.ext"), "subjectAltName=IP:127.0.0.1\n");
        MosquittoBroker.Run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", F("ca.key"), "-out", F("ca.crt"), "-days", "2", "-subj", "/CN=EdgeSentry test CA");
        foreach ((string name, string subject, string? ext) in new[] { ("server", "/CN=127.0.0.1", F("server.ext")), ("client", "/CN=edge-client", (string?)null) })
        {
            MosquittoBroker.Run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", F(name + ".key"), "-out", F(name + ".csr"), "-subj", subject);
            string[] sign = ["x509", "-req", "-in", F(name + ".csr"), "-CA", F("ca.crt"), "-CAkey", F("ca.key"), "-CAcreateserial", "-out", F(name + ".crt"), "-days", "2"];
            MosquittoBroker.Run("openssl", ext is null ? sign : [.. sign, "-extfile", ext]);
        }

        foreach (string file in new[] { "ca.crt", "server.crt", "server.key", "client.crt", "client.key" })
        {
            MosquittoBroker.OpenToAll(F(file), directory: false);
        }

        return new TestCertificates(F("ca.crt"), F("server.crt"), F("server.key"), F("client.crt"), F("client.key"));
    }
}
