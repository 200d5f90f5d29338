using System.Diagnostics;
using EdgeSentry.Alerts;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Deploy;

/// <summary>
/// The broker configuration files in deploy/mosquitto, run for real through <see cref="FleetBrokers"/>: the centre
/// broker (TLS, passwords, the ACL file as shipped, provisioned for edge-01 and edge-02) and edge-01's broker bridged
/// to it. Only what cannot be the same on a test box is rewritten (FleetBrokers: ports, host name, certificate,
/// password and persistence paths, the placeholder password; each rewrite must find its line, so a config that
/// drifts fails instead of being silently patched). The clients are mosquitto_pub / mosquitto_sub (MQTT 3.1.1, where
/// mosquitto drops a publish the ACL refuses silently). This tests the configuration, not the edge code.
/// </summary>
public sealed class MosquittoConfigTests : IAsyncLifetime
{
    private static readonly string Alert = AlertTopics.Alerts("grid-a1", "edge-01", "gate-01");

    private readonly List<Process> _processes = [];
    private FleetBrokers _brokers = null!;

    public Task InitializeAsync()
    {
        _brokers = FleetBrokers.Create(["edge-01", "edge-02"], ["unit-7", "unit-8", "unit-9"]);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
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

        await _brokers.DisposeAsync();
    }

    [Fact]
    public async Task CentreConfig_ConsumerOnSharedSubscription_ReceivesBridgedAlertFromEdgeBrokerAndOnlyTheEdgesOwn()
    {
        await _brokers.StartCentreAsync();
        await _brokers.StartEdgeAsync(_brokers.CentrePort);
        await WaitForBridgeAsync();

        await using var consumer = await SubscribeAsync(_brokers.CentrePort, FleetBrokers.ConsumerUser, FleetBrokers.ConsumerPassword, "$share/centre/edgesentry/v1/alerts/#", tls: true);
        string payload = $"{{\"messageId\":\"{Guid.NewGuid()}\",\"incidentId\":\"edge-01:gate-01-x\",\"sequence\":1}}";
        // Published first on the same path: another edge's alert on edge-01's broker is not carried to the centre.
        await PublishAsync(_brokers.EdgePort, null, null, AlertTopics.Alerts("grid-a1", "edge-02", "gate-01"), "foreign", tls: false);
        await PublishAsync(_brokers.EdgePort, null, null, Alert, payload, tls: false);

        string line = await consumer.NextLineAsync();
        Assert.Equal($"{Alert} {payload}", line);
    }

    [Fact]
    public async Task EdgeBridgeConfig_UnitMessagesAtCentre_OnlyServedUnitsReachTheEdge()
    {
        await _brokers.StartCentreAsync();
        // Retained before the bridge exists: a unit this edge does not serve, and a marker on the LAST "in" topic
        // of the edge's list. The centre handles the bridge's SUBSCRIBEs in order, so once the marker reaches the
        // edge every "in" subscription is in place.
        await PublishAsync(_brokers.CentrePort, "unit-9", FleetBrokers.UnitPassword("unit-9"), "edgesentry/v1/units/unit-9/status", "{\"unit\":9}", tls: true, retain: true);
        await PublishAsync(_brokers.CentrePort, "unit-8", FleetBrokers.UnitPassword("unit-8"), "edgesentry/v1/units/unit-8/acks", "ready", tls: true, retain: true);
        await _brokers.StartEdgeAsync(_brokers.CentrePort);

        await using var edgeSide = await SubscribeAsync(_brokers.EdgePort, null, null, "edgesentry/v1/units/#", tls: false);
        var seen = new List<string>();
        while (seen.LastOrDefault() != "edgesentry/v1/units/unit-8/acks ready")
        {
            seen.Add(await edgeSide.NextLineAsync());
        }

        // unit-9's ack is published first over the same path: if the bridge let it through it would come first.
        await PublishAsync(_brokers.CentrePort, "unit-9", FleetBrokers.UnitPassword("unit-9"), "edgesentry/v1/units/unit-9/acks", "{\"unit\":9}", tls: true);
        await PublishAsync(_brokers.CentrePort, "unit-7", FleetBrokers.UnitPassword("unit-7"), "edgesentry/v1/units/unit-7/acks", "{\"unit\":7}", tls: true);

        Assert.Equal("edgesentry/v1/units/unit-7/acks {\"unit\":7}", await edgeSide.NextLineAsync());
        Assert.DoesNotContain(seen, l => l.Contains("unit-9", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CentreAcl_ConsumerPublishingAnAlert_IsNotDelivered()
    {
        await _brokers.StartCentreAsync();
        await using var reader = await SubscribeAsync(_brokers.CentrePort, FleetBrokers.ConsumerUser, FleetBrokers.ConsumerPassword, "edgesentry/v1/alerts/#", tls: true);
        // A consumer may only read alerts: its publish is refused by the ACL (mosquitto drops it silently for
        // MQTT 3.1.1), while the edge's publish right after it goes through.
        await PublishAsync(_brokers.CentrePort, FleetBrokers.ConsumerUser, FleetBrokers.ConsumerPassword, AlertTopics.Alerts("grid-a1", "edge-01", "forged"), "forged", tls: true);
        await PublishAsync(_brokers.CentrePort, "edge-01", FleetBrokers.EdgePassword("edge-01"), Alert, "real", tls: true);

        Assert.Equal($"{Alert} real", await reader.NextLineAsync());
    }

    [Fact]
    public async Task CentreAcl_EdgePublishingAnAlertUnderAnotherEdgesId_IsNotDelivered()
    {
        await _brokers.StartCentreAsync();
        await using var reader = await SubscribeAsync(_brokers.CentrePort, FleetBrokers.ConsumerUser, FleetBrokers.ConsumerPassword, "edgesentry/v1/alerts/#", tls: true);
        // edge-02 is a provisioned edge with its own account. Its alert for edge-01's camera (under edge-01's id) is
        // refused, and so is edge-01's alert on a topic without an edge level (contract 2.0.0's shape); each edge's
        // alert under its own id after them goes through. Were either refused publish let in, it would come first.
        await PublishAsync(_brokers.CentrePort, "edge-02", FleetBrokers.EdgePassword("edge-02"), Alert, "forged", tls: true);
        await PublishAsync(_brokers.CentrePort, "edge-01", FleetBrokers.EdgePassword("edge-01"), "edgesentry/v1/alerts/grid-a1/gate-01", "no-edge-level", tls: true);
        await PublishAsync(_brokers.CentrePort, "edge-02", FleetBrokers.EdgePassword("edge-02"), AlertTopics.Alerts("grid-a1", "edge-02", "gate-01"), "own", tls: true);
        await PublishAsync(_brokers.CentrePort, "edge-01", FleetBrokers.EdgePassword("edge-01"), Alert, "real", tls: true);

        Assert.Equal($"{AlertTopics.Alerts("grid-a1", "edge-02", "gate-01")} own", await reader.NextLineAsync());
        Assert.Equal($"{Alert} real", await reader.NextLineAsync());
    }

    [Fact]
    public async Task CentreAcl_EdgeWritingAnIncidentStateUnderAnotherEdgesId_IsNotDelivered()
    {
        await _brokers.StartCentreAsync();
        await using var reader = await SubscribeAsync(_brokers.CentrePort, FleetBrokers.ConsumerUser, FleetBrokers.ConsumerPassword, "edgesentry/v1/incidents/#", tls: true);
        // Retained incident state is what a late subscriber believes: edge-02 must not overwrite edge-01's. The
        // forged write comes first; were it let in, it would be the first line the reader sees.
        string owned = AlertTopics.IncidentState("edge-01", "edge-01:gate-01-loiter-20261202T010203004Z-1");
        await PublishAsync(_brokers.CentrePort, "edge-02", FleetBrokers.EdgePassword("edge-02"), owned, "forged", tls: true);
        await PublishAsync(_brokers.CentrePort, "edge-02", FleetBrokers.EdgePassword("edge-02"), AlertTopics.IncidentState("edge-02", "edge-02:gate-01-loiter-20261202T010203004Z-1"), "own", tls: true);
        await PublishAsync(_brokers.CentrePort, "edge-01", FleetBrokers.EdgePassword("edge-01"), owned, "real", tls: true);

        Assert.Equal($"{AlertTopics.IncidentState("edge-02", "edge-02:gate-01-loiter-20261202T010203004Z-1")} own", await reader.NextLineAsync());
        Assert.Equal($"{owned} real", await reader.NextLineAsync());
    }

    /// <summary>The bridge's retained notification on the centre says "1" once it is connected and subscribed.</summary>
    private async Task WaitForBridgeAsync()
    {
        await using var state = await SubscribeAsync(_brokers.CentrePort, FleetBrokers.ConsumerUser, FleetBrokers.ConsumerPassword, "edgesentry/v1/edges/edge-01/bridge", tls: true);
        while (await state.NextLineAsync() != "edgesentry/v1/edges/edge-01/bridge 1")
        {
            // "0" is a stale will from an earlier connection: keep waiting for the live one.
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
        Assert.True(result.ExitCode == 0, $"mosquitto_pub {topic} failed ({result.ExitCode}): {result.Stderr}\n{_brokers.Log}");
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
        var subscriber = new Subscriber(process, () => _brokers.Log);
        string line;
        while (!(line = await subscriber.NextRawLineAsync()).StartsWith("Subscribed (mid:", StringComparison.Ordinal))
        {
            // Connection chatter before the SUBACK.
        }

        // The granted QoS: 128 means the broker (its ACL) refused the subscription.
        Assert.True(line.EndsWith(": 1", StringComparison.Ordinal), $"subscription to {filter} as {user ?? "anonymous"} not granted at QoS 1: {line}\n{_brokers.Log}");
        return subscriber;
    }

    private List<string> ClientArguments(int port, string? user, string? password, bool tls)
    {
        var args = new List<string> { "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-V", "mqttv311" };
        if (tls)
        {
            args.AddRange(["--cafile", _brokers.CaFile]);
        }

        if (user is not null)
        {
            args.AddRange(["-u", user, "-P", password!]);
        }

        return args;
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
