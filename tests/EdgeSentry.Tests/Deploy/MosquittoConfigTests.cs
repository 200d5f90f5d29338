using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Deploy;

/// <summary>
/// The broker configuration files in deploy/mosquitto, run for real: the centre broker (TLS, passwords, the
/// ACL file as shipped) and the edge broker bridged to it. Only what cannot be the same on a test box is
/// rewritten (ports, host name, certificate, password and persistence paths, the placeholder password); each
/// rewrite must find its line, so a config that drifts fails here instead of being silently patched.
/// This tests the configuration, not the edge code.
/// </summary>
public sealed class MosquittoConfigTests : IAsyncLifetime
{
    private const string EdgePassword = "edge-secret";
    private const string ConsumerPassword = "consumer-secret";
    private const string UnitPassword = "unit-secret";

    private readonly string _directory = Directory.CreateTempSubdirectory("edgesentry-deploy-").FullName;
    private readonly List<Process> _processes = [];
    private readonly StringBuilder _log = new();
    private TestCertificates _certificates = null!;
    private int _centrePort;
    private int _edgePort;

    public Task InitializeAsync()
    {
        if (!File.Exists(MosquittoBroker.Executable))
        {
            throw new InvalidOperationException($"{MosquittoBroker.Executable} not found: install mosquitto and mosquitto-clients (apt-get install mosquitto mosquitto-clients) or run scripts/install-prereqs.sh");
        }

        // mosquitto started as root drops to its own user, which must read the files and write persistence here.
        MosquittoBroker.OpenToAll(_directory, directory: true);
        _certificates = TestCertificates.Create(_directory);
        string passwords = Path.Combine(_directory, "passwd");
        File.WriteAllLines(passwords, [$"edge-01:{EdgePassword}", $"centre-alerts:{ConsumerPassword}", $"unit-7:{UnitPassword}", $"unit-8:{UnitPassword}", $"unit-9:{UnitPassword}"]);
        MosquittoBroker.Run("mosquitto_passwd", "-U", passwords);
        MosquittoBroker.OpenToAll(passwords, directory: false);
        _centrePort = FreePort();
        _edgePort = FreePort();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        foreach (var p in _processes)
        {
            try
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }

            p.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task CentreConfig_ConsumerOnSharedSubscription_ReceivesBridgedAlertFromEdgeBroker()
    {
        await StartCentreAsync();
        await StartEdgeAsync();
        await WaitForBridgeAsync();

        await using var consumer = await SubscribeAsync(_centrePort, "centre-alerts", ConsumerPassword, "$share/centre/edgesentry/v1/alerts/#", tls: true);
        string payload = $"{{\"messageId\":\"{Guid.NewGuid()}\",\"incidentId\":\"gate-01-x\",\"sequence\":1}}";
        await PublishAsync(_edgePort, null, null, "edgesentry/v1/alerts/grid-a1/gate-01", payload, tls: false);

        string line = await consumer.NextLineAsync();
        Assert.Equal($"edgesentry/v1/alerts/grid-a1/gate-01 {payload}", line);
    }

    [Fact]
    public async Task EdgeBridgeConfig_UnitMessagesAtCentre_OnlyServedUnitsReachTheEdge()
    {
        await StartCentreAsync();
        // Retained before the bridge exists: a unit this edge does not serve, and a marker on the LAST "in" topic
        // of the edge's list. The centre handles the bridge's SUBSCRIBEs in order, so once the marker reaches the
        // edge every "in" subscription is in place.
        await PublishAsync(_centrePort, "unit-9", UnitPassword, "edgesentry/v1/units/unit-9/status", "{\"unit\":9}", tls: true, retain: true);
        await PublishAsync(_centrePort, "unit-8", UnitPassword, "edgesentry/v1/units/unit-8/acks", "ready", tls: true, retain: true);
        await StartEdgeAsync();

        await using var edgeSide = await SubscribeAsync(_edgePort, null, null, "edgesentry/v1/units/#", tls: false);
        var seen = new List<string>();
        while (seen.LastOrDefault() != "edgesentry/v1/units/unit-8/acks ready")
        {
            seen.Add(await edgeSide.NextLineAsync());
        }

        // unit-9's ack is published first over the same path: if the bridge let it through it would come first.
        await PublishAsync(_centrePort, "unit-9", UnitPassword, "edgesentry/v1/units/unit-9/acks", "{\"unit\":9}", tls: true);
        await PublishAsync(_centrePort, "unit-7", UnitPassword, "edgesentry/v1/units/unit-7/acks", "{\"unit\":7}", tls: true);

        Assert.Equal("edgesentry/v1/units/unit-7/acks {\"unit\":7}", await edgeSide.NextLineAsync());
        Assert.DoesNotContain(seen, l => l.Contains("unit-9", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CentreAcl_ConsumerPublishingAnAlert_IsNotDelivered()
    {
        await StartCentreAsync();
        await using var reader = await SubscribeAsync(_centrePort, "centre-alerts", ConsumerPassword, "edgesentry/v1/alerts/#", tls: true);
        // A consumer may only read alerts: its publish is refused by the ACL (mosquitto drops it silently for
        // MQTT 3.1.1), while the edge's publish right after it goes through.
        await PublishAsync(_centrePort, "centre-alerts", ConsumerPassword, "edgesentry/v1/alerts/grid-a1/forged", "forged", tls: true);
        await PublishAsync(_centrePort, "edge-01", EdgePassword, "edgesentry/v1/alerts/grid-a1/gate-01", "real", tls: true);

        Assert.Equal("edgesentry/v1/alerts/grid-a1/gate-01 real", await reader.NextLineAsync());
    }

    private async Task StartCentreAsync()
    {
        string acl = Path.Combine(_directory, "centre.acl");
        File.Copy(DeployFile("centre.acl"), acl);
        MosquittoBroker.OpenToAll(acl, directory: false);
        string persistence = Directory.CreateDirectory(Path.Combine(_directory, "centre-data")).FullName;
        MosquittoBroker.OpenToAll(persistence, directory: true);
        string config = Rewrite("centre.conf", new()
        {
            ["listener 8883"] = $"listener {_centrePort} 127.0.0.1",
            ["certfile /etc/mosquitto/certs/centre.crt"] = $"certfile {_certificates.ServerCertFile}",
            ["keyfile /etc/mosquitto/certs/centre.key"] = $"keyfile {_certificates.ServerKeyFile}",
            ["cafile /etc/mosquitto/certs/ca.pem"] = $"cafile {_certificates.CaFile}",
            ["password_file /etc/mosquitto/passwd"] = $"password_file {Path.Combine(_directory, "passwd")}",
            ["acl_file /etc/mosquitto/conf.d/centre.acl"] = $"acl_file {acl}",
            ["persistence_location /var/lib/mosquitto/"] = $"persistence_location {persistence}/",
        });
        await StartBrokerAsync("centre", config, _centrePort);
    }

    private async Task StartEdgeAsync()
    {
        string persistence = Directory.CreateDirectory(Path.Combine(_directory, "edge-data")).FullName;
        MosquittoBroker.OpenToAll(persistence, directory: true);
        string config = Rewrite("edge-bridge.conf", new()
        {
            ["listener 1883 127.0.0.1"] = $"listener {_edgePort} 127.0.0.1",
            ["address centre.example.net:8883"] = $"address 127.0.0.1:{_centrePort}",
            ["bridge_cafile /etc/mosquitto/certs/centre-ca.pem"] = $"bridge_cafile {_certificates.CaFile}",
            ["remote_password CHANGE-ME"] = $"remote_password {EdgePassword}",
            ["persistence_location /var/lib/mosquitto/"] = $"persistence_location {persistence}/",
        });
        await StartBrokerAsync("edge", config, _edgePort);
    }

    /// <summary>The bridge's retained notification on the centre says "1" once it is connected and subscribed.</summary>
    private async Task WaitForBridgeAsync()
    {
        await using var state = await SubscribeAsync(_centrePort, "centre-alerts", ConsumerPassword, "edgesentry/v1/edges/edge-01/bridge", tls: true);
        while (await state.NextLineAsync() != "edgesentry/v1/edges/edge-01/bridge 1")
        {
            // "0" is a stale will from an earlier connection: keep waiting for the live one.
        }
    }

    private string Rewrite(string file, Dictionary<string, string> replacements)
    {
        var lines = File.ReadAllLines(DeployFile(file)).ToList();
        foreach (var (from, to) in replacements)
        {
            int index = lines.FindIndex(l => l.Trim() == from);
            Assert.True(index >= 0, $"deploy/mosquitto/{file} has no line '{from}' any more: update the test's rewrite with the config");
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
        var process = Process.Start(start)!;
        _processes.Add(process);
        process.OutputDataReceived += (_, e) => Log(name, e.Data);
        process.ErrorDataReceived += (_, e) => Log(name, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // A hang guard, not a timing assertion.
        using var cap = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            Assert.False(process.HasExited, $"mosquitto with deploy/mosquitto/{Path.GetFileName(config)} exited with {(process.HasExited ? process.ExitCode : 0)}:\n{LogText()}");
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

    private async Task PublishAsync(int port, string? user, string? password, string topic, string payload, bool tls, bool retain = false)
    {
        var args = ClientArguments(port, user, password, tls);
        args.AddRange(["-q", "1", "-t", topic, "-m", payload]);
        if (retain)
        {
            args.Add("-r");
        }

        var result = await CliProcess.RunAsync("mosquitto_pub", args, capSeconds: 60);
        Assert.True(result.ExitCode == 0, $"mosquitto_pub {topic} failed ({result.ExitCode}): {result.Stderr}\n{LogText()}");
    }

    private async Task<Subscriber> SubscribeAsync(int port, string? user, string? password, string filter, bool tls)
    {
        var args = ClientArguments(port, user, password, tls);
        // -d prints the SUBACK and the granted QoS, so publishing starts only once the subscription is in place.
        // mosquitto_sub block-buffers a piped stdout; stdbuf makes it line-buffered so each line arrives at once.
        args.AddRange(["-d", "-q", "1", "-v", "-t", filter]);
        if (!File.Exists("/usr/bin/mosquitto_sub"))
        {
            throw new InvalidOperationException("/usr/bin/mosquitto_sub not found: install mosquitto-clients (apt-get install mosquitto-clients) or run scripts/install-prereqs.sh");
        }

        var start = new ProcessStartInfo("stdbuf") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-oL");
        start.ArgumentList.Add("/usr/bin/mosquitto_sub");
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start)!;
        _processes.Add(process);
        var subscriber = new Subscriber(process, LogText);
        string line;
        while (!(line = await subscriber.NextRawLineAsync()).StartsWith("Subscribed (mid:", StringComparison.Ordinal))
        {
            // Connection chatter before the SUBACK.
        }

        // The granted QoS: 128 means the broker (its ACL) refused the subscription.
        Assert.True(line.EndsWith(": 1", StringComparison.Ordinal), $"subscription to {filter} as {user ?? "anonymous"} not granted at QoS 1: {line}\n{LogText()}");
        return subscriber;
    }

    private List<string> ClientArguments(int port, string? user, string? password, bool tls)
    {
        var args = new List<string> { "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-V", "mqttv311" };
        if (tls)
        {
            args.AddRange(["--cafile", _certificates.CaFile]);
        }

        if (user is not null)
        {
            args.AddRange(["-u", user, "-P", password!]);
        }

        return args;
    }

    private void Log(string name, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            if (_log.Length < 64 * 1024)
            {
                _log.Append(name).Append(": ").AppendLine(line);
            }
        }
    }

    private string LogText()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    private static string DeployFile(string name) => Path.Combine(SharedPaths.RepoRoot, "deploy", "mosquitto", name);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A running mosquitto_sub -d -v: debug lines and "topic payload" lines on stdout.</summary>
    private sealed class Subscriber(Process process, Func<string> brokerLog) : IAsyncDisposable
    {
        public async Task<string> NextRawLineAsync()
        {
            // A hang guard: a message that never comes fails the test with the brokers' log instead of hanging.
            using var cap = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            string? line;
            try
            {
                line = await process.StandardOutput.ReadLineAsync(cap.Token);
            }
            catch (OperationCanceledException)
            {
                line = null;
            }

            return line ?? throw new Xunit.Sdk.XunitException($"mosquitto_sub ended or got nothing: {await StderrAsync()}\n{brokerLog()}");
        }

        /// <summary>The next delivered message as "topic payload", skipping mosquitto_sub's debug lines.</summary>
        public async Task<string> NextLineAsync()
        {
            while (true)
            {
                string line = await NextRawLineAsync();
                if (!line.StartsWith("Client ", StringComparison.Ordinal) && !line.StartsWith("Subscribed (mid:", StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }

        public ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            return ValueTask.CompletedTask;
        }

        private async Task<string> StderrAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            return await process.StandardError.ReadToEndAsync();
        }
    }
}
