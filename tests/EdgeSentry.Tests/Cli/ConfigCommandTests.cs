using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Cli;

public class ConfigCommandTests
{
    [Fact]
    public async Task ConfigCheck_BuiltInDefault_IsValid()
    {
        var run = await CliProcess.RunEdgeSentryAsync("config", "check", "default");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("valid (3 camera(s)", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigCheck_ManyProblems_PrintsEveryErrorAtOnce()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("edgesentry-config-").FullName, "bad.json");
        await File.WriteAllTextAsync(file, """
            {
              "edgeId": "edge/1",
              "mqtt": { "host": "", "port": 70000, "pasword": "x" },
              "detector": { "model": "${shared}/models/yolox_nano.onnx" },
              "cameras": [
                { "id": "cam-1", "url": "rtsp://admin:s3cret@10.0.0.9/live",
                  "analytics": { "zones": [ { "id": "z", "polygon": [[0.1, 0.1], [1.4, 0.1], [0.5, 0.9]] } ],
                                 "rules": [ { "id": "r", "kind": "intrusion", "zone": "nowhere", "classes": ["person"] } ] } },
                { "id": "cam-1", "url": "/no/such/file.mp4" }
              ]
            }
            """);

        var run = await CliProcess.RunEdgeSentryAsync("config", "check", file);

        Assert.Equal(2, run.ExitCode);
        string e = run.Stderr;
        Assert.Contains("$.edgeId", e, StringComparison.Ordinal);
        Assert.Contains("$.mqtt.host", e, StringComparison.Ordinal);
        Assert.Contains("$.mqtt.port", e, StringComparison.Ordinal);
        Assert.Contains("$.mqtt.pasword: unknown key (did you mean 'password'?)", e, StringComparison.Ordinal);
        Assert.Contains("$.cameras[0].analytics.zones[0].polygon", e, StringComparison.Ordinal);
        Assert.Contains("nowhere", e, StringComparison.Ordinal);
        Assert.Contains("$.cameras[1].id: 'cam-1' is used by another camera", e, StringComparison.Ordinal);
        Assert.Contains("/no/such/file.mp4", e, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", e, StringComparison.Ordinal);
    }
}
