using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeSentry.Alerts;

namespace EdgeSentry.Tests.Peers;

/// <summary>
/// The fleet's brokers run from the shipped files in deploy/mosquitto: the centre broker from centre.conf and
/// centre.acl (TLS, passwords, ACL and persistence as shipped) and an edge broker from edge-bridge.conf, bridged
/// to the centre over TLS. Only what cannot be the same on a test box is rewritten (ports, the bridge's address,
/// certificate, password and persistence paths, the placeholder password); every bridge and queue setting stays
/// as shipped. Edges are provisioned the way centre.acl says: one password per edge id and a copy of the
/// <c>user edge-01</c> block per edge; units get one password per unit id (the ACL's patterns cover them).
/// The one place tests start the shipped broker files (Fleet tests, Deploy/MosquittoConfigTests).
/// </summary>
public sealed class FleetBrokers : IAsyncDisposable
{
    public const string ConsumerUser = "centre-alerts";
    public const string ConsumerPassword = "consumer-secret";
    private const string TemplateEdge = "edge-01";

    private readonly string _directory;
    private readonly TestCertificates _certificates;
    private readonly IReadOnlyList<string> _edgeIds;
    private readonly List<Process> _processes = [];
    private readonly StringBuilder _log = new();

    private FleetBrokers(IReadOnlyList<string> edgeIds, IReadOnlyList<string> unitIds)
    {
        _edgeIds = edgeIds;
        _directory = Directory.CreateTempSubdirectory("edgesentry-fleet-").FullName;
        // mosquitto started as root drops to its own user, which must read the files and write persistence here.
        MosquittoBroker.OpenToAll(_directory, directory: true);
        _certificates = TestCertificates.Create(_directory);
        string passwords = Path.Combine(_directory, "passwd");
        File.WriteAllLines(passwords, [$"{ConsumerUser}:{ConsumerPassword}", .. edgeIds.Select(id => $"{id}:{EdgePassword(id)}"), .. unitIds.Select(id => $"{id}:{UnitPassword(id)}")]);
        MosquittoBroker.Run("mosquitto_passwd", "-U", passwords);
        MosquittoBroker.OpenToAll(passwords, directory: false);
        CentrePort = EdgeSentry.Demo.LocalPeer.FreePort();
        EdgePort = EdgeSentry.Demo.LocalPeer.FreePort();
    }

    public int CentrePort { get; }

    /// <summary>The test CA that signed the centre's certificate (clients verify the centre with it).</summary>
    public string CaFile => _certificates.CaFile;

    /// <summary>The edge broker's listener (loopback, anonymous, as shipped).</summary>
    public int EdgePort { get; }

    /// <summary>Makes the certificates and passwords for a centre that knows these edges (the bridged edge is edge-01) and units.</summary>
    public static FleetBrokers Create(IReadOnlyList<string> edgeIds, IReadOnlyList<string>? unitIds = null)
    {
        ArgumentNullException.ThrowIfNull(edgeIds);
        foreach (string tool in new[] { MosquittoBroker.Executable, "/usr/bin/mosquitto_passwd" })
        {
            if (!File.Exists(tool))
            {
                throw new InvalidOperationException($"{tool} not found: install mosquitto (apt-get install mosquitto) or run scripts/install-prereqs.sh");
            }
        }

        return new FleetBrokers(edgeIds, unitIds ?? []);
    }

    public static string EdgePassword(string edgeId) => "secret-" + edgeId;

    public static string UnitPassword(string unitId) => "unit-secret-" + unitId;

    /// <summary>Starts the centre broker from deploy/mosquitto/centre.conf with every edge provisioned in its ACL.</summary>
    public async Task StartCentreAsync()
    {
        string acl = Path.Combine(_directory, "centre.acl");
        File.WriteAllText(acl, ProvisionedAcl());
        MosquittoBroker.OpenToAll(acl, directory: false);
        string persistence = Directory.CreateDirectory(Path.Combine(_directory, "centre-data")).FullName;
        MosquittoBroker.OpenToAll(persistence, directory: true);
        string config = Rewrite("centre.conf", new()
        {
            ["listener 8883"] = $"listener {CentrePort} 127.0.0.1",
            ["certfile /etc/mosquitto/certs/centre.crt"] = $"certfile {_certificates.ServerCertFile}",
            ["keyfile /etc/mosquitto/certs/centre.key"] = $"keyfile {_certificates.ServerKeyFile}",
            ["cafile /etc/mosquitto/certs/ca.pem"] = $"cafile {_certificates.CaFile}",
            ["password_file /etc/mosquitto/passwd"] = $"password_file {Path.Combine(_directory, "passwd")}",
            ["acl_file /etc/mosquitto/conf.d/centre.acl"] = $"acl_file {acl}",
            ["persistence_location /var/lib/mosquitto/"] = $"persistence_location {persistence}/",
        });
        await StartBrokerAsync("centre", config, CentrePort);
    }

    /// <summary>
    /// Starts edge-01's broker from deploy/mosquitto/edge-bridge.conf, its bridge pointed at
    /// <paramref name="bridgePort"/> on loopback (the centre, or a <see cref="TcpRelay"/> in front of it).
    /// </summary>
    public async Task StartEdgeAsync(int bridgePort)
    {
        string persistence = Directory.CreateDirectory(Path.Combine(_directory, "edge-data")).FullName;
        MosquittoBroker.OpenToAll(persistence, directory: true);
        string config = Rewrite("edge-bridge.conf", new()
        {
            ["listener 1883 127.0.0.1"] = $"listener {EdgePort} 127.0.0.1",
            ["address centre.example.net:8883"] = $"address 127.0.0.1:{bridgePort}",
            ["bridge_cafile /etc/mosquitto/certs/centre-ca.pem"] = $"bridge_cafile {_certificates.CaFile}",
            ["remote_password CHANGE-ME"] = $"remote_password {EdgePassword(TemplateEdge)}",
            ["persistence_location /var/lib/mosquitto/"] = $"persistence_location {persistence}/",
        });
        await StartBrokerAsync("edge", config, EdgePort);
    }

    /// <summary>A centre consumer's connection: TLS, the consumers' account, a persistent session under a stable id.</summary>
    public MqttConnectionOptions ConsumerOptions(string clientId) => new()
    {
        Host = "127.0.0.1",
        Port = CentrePort,
        ClientId = clientId,
        Username = ConsumerUser,
        Password = ConsumerPassword,
        Tls = new MqttTlsOptions { CaFile = _certificates.CaFile },
        CleanStart = false,
        SessionExpiry = TimeSpan.FromHours(1),
        IncomingCapacity = 1_000_000,
        ReconnectDelayMax = TimeSpan.FromSeconds(1),
    };

    /// <summary>An edge connected straight to the centre (the documented alternative to a local bridge).</summary>
    public MqttConnectionOptions DirectEdgeOptions(string edgeId) => new()
    {
        Host = "127.0.0.1",
        Port = CentrePort,
        ClientId = edgeId,
        Username = edgeId,
        Password = EdgePassword(edgeId),
        Tls = new MqttTlsOptions { CaFile = _certificates.CaFile },
        ReconnectDelay = TimeSpan.FromMilliseconds(200),
    };

    /// <summary>What the brokers printed so far (for failure messages).</summary>
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

    public ValueTask DisposeAsync()
    {
        foreach (Process process in _processes)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }

            process.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>centre.acl as shipped plus, per further edge, a copy of edge-01's block under that edge's name.</summary>
    private string ProvisionedAcl()
    {
        string[] lines = File.ReadAllLines(DeployFile("centre.acl"));
        int start = Array.FindIndex(lines, l => l.Trim() == $"user {TemplateEdge}");
        if (start < 0)
        {
            throw new InvalidOperationException($"deploy/mosquitto/centre.acl has no 'user {TemplateEdge}' block any more: update {nameof(FleetBrokers)} with the ACL");
        }

        int end = Array.FindIndex(lines, start, l => l.Trim().Length == 0);
        string[] block = lines[start..(end < 0 ? lines.Length : end)];
        var acl = new StringBuilder(string.Join('\n', lines)).Append('\n');
        foreach (string edgeId in _edgeIds.Where(id => id != TemplateEdge))
        {
            acl.Append('\n');
            foreach (string line in block)
            {
                acl.Append(line.Replace(TemplateEdge, edgeId, StringComparison.Ordinal)).Append('\n');
            }
        }

        return acl.ToString();
    }

    private string Rewrite(string file, Dictionary<string, string> replacements)
    {
        var lines = File.ReadAllLines(DeployFile(file)).ToList();
        foreach (var (from, to) in replacements)
        {
            int index = lines.FindIndex(l => l.Trim() == from);
            if (index < 0)
            {
                throw new InvalidOperationException($"deploy/mosquitto/{file} has no line '{from}' any more: update {nameof(FleetBrokers)} with the config");
            }

            lines[index] = to;
        }

        string path = Path.Combine(_directory, file);
        File.WriteAllLines(path, lines);
        MosquittoBroker.OpenToAll(path, directory: false);
        return path;
    }

    private async Task StartBrokerAsync(string name, string config, int port)
    {
        var start = new ProcessStartInfo(MosquittoBroker.Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(config);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {MosquittoBroker.Executable}");
        _processes.Add(process);
        process.OutputDataReceived += (_, e) => Append(name, e.Data);
        process.ErrorDataReceived += (_, e) => Append(name, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // A hang guard, not a timing assertion: only a broken broker takes this long.
        using var cap = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"mosquitto with deploy/mosquitto/{Path.GetFileName(config)} exited with {process.ExitCode}:\n{Log}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port, cap.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(20, cap.Token);
            }
        }
    }

    private void Append(string name, string? line)
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
                _log.Append(name).Append(": ").AppendLine(line);
            }
        }
    }

    private static string DeployFile(string name) => Path.Combine(SharedPaths.RepoRoot, "deploy", "mosquitto", name);

}
