using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeSentry.Demo;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Packaging;

/// <summary>
/// Acceptance 5. There is no docker daemon here, so the image itself is not built: these tests run the command
/// the image runs (its ENTRYPOINT + CMD, read from the Dockerfile, with /app replaced by the publish output)
/// and its HEALTHCHECK command, as a non-root user; and systemd-analyze verifies the unit.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public partial class PackagingTests : IClassFixture<PublishedOutput>
{
    private readonly PublishedOutput _published;

    public PackagingTests(PublishedOutput published) => _published = published;

    [Fact]
    public async Task SystemdUnit_Verify_AcceptedWithoutWarnings()
    {
        string unit = await File.ReadAllTextAsync(Path.Combine(SharedPaths.RepoRoot, "deploy", "edgesentry.service"));
        Assert.Contains("Type=notify", unit, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^WatchdogSec=\d+", unit);
        Assert.Matches(@"(?m)^User=edgesentry$", unit);

        // verify checks that ExecStart's program exists: point it at the published apphost, nothing else changes.
        var good = await VerifyAsync(unit.Replace("/opt/edgesentry/edgesentry", Path.Combine(_published.Directory, "edgesentry"), StringComparison.Ordinal));
        Assert.True(good.ExitCode == 0 && !good.Stderr.Contains("edgesentry.service", StringComparison.Ordinal), $"systemd-analyze verify: exit {good.ExitCode}: {good.Stderr}");

        // The check can fail: a broken value in the same unit is reported.
        var bad = await VerifyAsync(unit.Replace("/opt/edgesentry/edgesentry", Path.Combine(_published.Directory, "edgesentry"), StringComparison.Ordinal).Replace("WatchdogSec=30", "WatchdogSec=thirty", StringComparison.Ordinal));
        Assert.Contains("edgesentry.service:", bad.Stderr, StringComparison.Ordinal);
        Assert.Contains("thirty", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImageCommand_NoConfigurationMounted_ExitsNonZeroNamingWhatToMount()
    {
        var (entrypoint, cmd) = await ImageCommandAsync();
        string configPath = cmd[^1];
        Assert.False(File.Exists(configPath), $"{configPath} exists on this machine; the test needs it absent");

        var result = await RunAsNobodyAsync([.. entrypoint, .. cmd]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"configuration file '{configPath}' not found", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"-v /path/to/edgesentry.json:{configPath}:ro", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImageCommand_RunAsNobodyWithConfiguration_AnswersHealthzAndTheHealthcheckPasses()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var rtsp = await RtspServer.StartAsync(true, ("yard", "intel_worker_zone_preview_h264.mp4"));
        int httpPort = LocalPeer.FreePort();
        string config = Path.Combine(_published.Scratch("config"), "edgesentry.json");
        string outbox = Path.Combine(_published.Scratch("state"), "outbox.db");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            edgeId = "edge-nobody",
            mqtt = new { host = "127.0.0.1", port = broker.Port },
            detector = new { model = SharedPaths.Model("yolox_nano.onnx") },
            outbox = new { path = outbox },
            http = new { listen = $"127.0.0.1:{httpPort}" },
            cameras = new[] { new { id = "yard-1", url = rtsp.Url("yard"), maxFps = 5 } },
        }));
        File.SetUnixFileMode(config, (UnixFileMode)0x1A4);
        var (entrypoint, cmd) = await ImageCommandAsync();
        string[] run = [.. entrypoint, .. cmd[..^1], config];

        // systemd's notify socket, played by the test: WATCHDOG=1 must arrive while the edge is not failing.
        string notifyPath = Path.Combine(_published.Scratch("notify"), "notify.sock");
        using var notify = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Unspecified);
        notify.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(notifyPath));
        File.SetUnixFileMode(notifyPath, (UnixFileMode)0x1FF);
        var watchdog = ReceiveUntilAsync(notify, "WATCHDOG=1");

        var serviceErrors = new System.Text.StringBuilder();
        using var service = StartAsNobody(run, serviceErrors, notifyPath);
        try
        {
            string url = $"http://127.0.0.1:{httpPort}/healthz";
            string[] healthcheck = [.. (await HealthcheckCommandAsync()).Select(a => a.Replace("http://127.0.0.1:9090/healthz", url, StringComparison.Ordinal))];
            CliProcess.Result check;
            var guard = Stopwatch.StartNew();
            while ((check = await RunAsNobodyAsync(healthcheck)).ExitCode != 0)
            {
                if (service.HasExited)
                {
                    Assert.Fail($"the service exited with {service.ExitCode}: {serviceErrors}");
                }

                Assert.True(guard.Elapsed < TimeSpan.FromSeconds(120), $"no /healthz answer: {check.Stderr}");
                await Task.Delay(500);
            }

            Assert.StartsWith("200 ", check.Stdout, StringComparison.Ordinal);
            Assert.Contains("\"status\":\"alive\"", check.Stdout, StringComparison.Ordinal);
            // The service really runs as nobody, and wrote its outbox as nobody.
            string status = await File.ReadAllTextAsync($"/proc/{service.Id}/status");
            Assert.Matches(@"(?m)^Uid:\s+65534\s+65534", status);
            // /healthz answers as soon as Kestrel listens; the outbox is opened after the model loads.
            while (!File.Exists(outbox))
            {
                Assert.True(guard.Elapsed < TimeSpan.FromSeconds(120), $"no outbox at {outbox}: {serviceErrors}");
                await Task.Delay(250);
            }

            Assert.Equal(65534, OwnerOf(outbox));
            Assert.Equal("WATCHDOG=1", await watchdog.WaitAsync(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            // SIGTERM, as docker stop and systemctl stop send: the service stops cleanly.
            using (var term = Process.Start("kill", ["-TERM", service.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var cap = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await service.WaitForExitAsync(cap.Token);
        }

        Assert.Equal(0, service.ExitCode);
    }

    private static int OwnerOf(string path)
    {
        var p = Process.Start(new ProcessStartInfo("stat", ["-c", "%u", path]) { RedirectStandardOutput = true })!;
        string uid = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        p.Dispose();
        return int.Parse(uid, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>ENTRYPOINT and CMD of the Dockerfile's final stage, with /app replaced by the publish output.</summary>
    private async Task<(string[] Entrypoint, string[] Cmd)> ImageCommandAsync()
    {
        string dockerfile = await File.ReadAllTextAsync(Path.Combine(SharedPaths.RepoRoot, "Dockerfile"));
        return (ExecForm(dockerfile, "ENTRYPOINT"), ExecForm(dockerfile, "CMD"));
    }

    private async Task<string[]> HealthcheckCommandAsync()
    {
        string dockerfile = await File.ReadAllTextAsync(Path.Combine(SharedPaths.RepoRoot, "Dockerfile"));
        var m = HealthcheckPattern().Match(dockerfile);
        Assert.True(m.Success, "Dockerfile has no HEALTHCHECK ... CMD [...]");
        return [.. JsonSerializer.Deserialize<string[]>(m.Groups[1].Value)!.Select(AppToPublished)];
    }

    private string[] ExecForm(string dockerfile, string instruction)
    {
        var m = Regex.Match(dockerfile, $@"(?m)^{instruction} (\[.*\])\s*$");
        Assert.True(m.Success, $"Dockerfile has no exec-form {instruction}");
        return [.. JsonSerializer.Deserialize<string[]>(m.Groups[1].Value)!.Select(AppToPublished)];
    }

    private string AppToPublished(string arg) => arg.StartsWith("/app/", StringComparison.Ordinal) ? Path.Combine(_published.Directory, arg["/app/".Length..]) : arg;

    private static string[] AsNobody(string[] command) =>
        ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", .. command];

    private static Task<CliProcess.Result> RunAsNobodyAsync(string[] command) =>
        CliProcess.RunAsync("/usr/bin/setpriv", AsNobody(command), capSeconds: 120);

    private static async Task<string> ReceiveUntilAsync(System.Net.Sockets.Socket socket, string wanted)
    {
        var buffer = new byte[4096];
        while (true)
        {
            int n = await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None);
            string message = System.Text.Encoding.UTF8.GetString(buffer, 0, n);
            if (message.Split('\n').Contains(wanted))
            {
                return wanted;
            }
        }
    }

    private static Process StartAsNobody(string[] command, System.Text.StringBuilder errors, string notifySocket)
    {
        var psi = new ProcessStartInfo("/usr/bin/setpriv") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var a in AsNobody(command))
        {
            psi.ArgumentList.Add(a);
        }

        // nobody's home does not exist; the runtime needs nowhere to write but this keeps it from trying.
        psi.Environment["HOME"] = "/tmp";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["NOTIFY_SOCKET"] = notifySocket;
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static async Task<CliProcess.Result> VerifyAsync(string unit)
    {
        var dir = Directory.CreateTempSubdirectory("edgesentry-unit-");
        try
        {
            string path = Path.Combine(dir.FullName, "edgesentry.service");
            await File.WriteAllTextAsync(path, unit);
            return await CliProcess.RunAsync("/usr/bin/systemd-analyze", ["verify", path], capSeconds: 120);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"(?m)^\s*CMD (\[""dotnet"".*health.*\])\s*$")]
    private static partial Regex HealthcheckPattern();
}
