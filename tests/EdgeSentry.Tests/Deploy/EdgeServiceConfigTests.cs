using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Deploy;

/// <summary>The service configurations in deploy/edgesentry pass the real <c>config check</c>.</summary>
public sealed class EdgeServiceConfigTests
{
    [Fact]
    public async Task ConfigCheck_BridgedEdge_IsValid()
    {
        var result = await CliProcess.RunEdgeSentryAsync("config", "check", Path.Combine(SharedPaths.RepoRoot, "deploy", "edgesentry", "edge-bridged.json"));

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task ConfigCheck_DirectEdge_OnlyTheBoxSpecificFilesAndSecretAreMissing()
    {
        var result = await CliProcess.RunEdgeSentryAsync("config", "check", Path.Combine(SharedPaths.RepoRoot, "deploy", "edgesentry", "edge-direct.json"));

        // On a test box the centre's CA file and the password variable do not exist; everything else must pass.
        var errors = (result.Stdout + result.Stderr).Split('\n').Where(l => l.TrimStart().StartsWith("- ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Contains("$.mqtt.passwordEnvironmentVariable", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("$.mqtt.tls.caFile", StringComparison.Ordinal));
    }
}
