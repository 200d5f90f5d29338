using System.Text.Json;
using EdgeSentry.Benchmarking;
using EdgeSentry.Planning;
using EdgeSentry.Tests.Peers;
using EdgeSentry.Tests.Planning;

namespace EdgeSentry.Tests.Cli;

/// <summary>The real executable: a bench report in, decode measured with real ffmpeg, the sizing out.</summary>
public sealed class PlanCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgesentry-plan-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Plan_BenchReportAndClip_JsonRowsPerLayoutAgreeWithTheirMeasuredCosts()
    {
        File.WriteAllText(Path.Combine(_dir, "report.json"), JsonSerializer.Serialize(
            BenchCostsTests.Report(("1x1", 1, 1, 11, 16, 3), ("2x1", 2, 1, 12, 19.5, 3.5)), BenchJsonContext.Default.BenchReport));
        string clip = SharedPaths.Clip("intel_indoor_people_one_by_one_h264.mp4");

        var result = await CliProcess.RunEdgeSentryAsync("plan", "--bench", _dir, "--footage", clip, "--cores", "4", "--detection-fps", "5",
            "--cameras", "958", "--decode-seconds", "4", "--predict", "3", "--json", "--out", Path.Combine(_dir, "out"));

        Assert.True(result.ExitCode == 0, result.Stderr);
        var report = JsonSerializer.Deserialize(result.Stdout, PlanJsonContext.Default.PlanReport)!;
        Assert.Equal(4, report.Inputs.Cores);
        var decode = Assert.Single(report.Decode);
        Assert.True(decode.DecoderCpuSeconds > 0);
        Assert.Equal(["1x1", "2x1"], report.Rows.Select(r => r.Layout));
        foreach (var row in report.Rows)
        {
            var expected = SizingPlanner.Size(report.Inputs, decode, report.Inference.Single(i => i.Layout == row.Layout));
            Assert.Equal(expected.CamerasPerBox, row.CamerasPerBox);
            Assert.Equal(expected.Boxes, row.Boxes);
            Assert.Equal(3, row.Prediction!.Cameras);
        }

        Assert.Equal(13, report.Rows[0].InferenceCpuMsPerDetection, 9);
        Assert.Contains("| yolox_nano.onnx | 2x1 |", File.ReadAllText(Path.Combine(_dir, "out", "plan.md")), StringComparison.Ordinal);
        Assert.Equal(result.Stdout, File.ReadAllText(Path.Combine(_dir, "out", "plan.json")));
    }

    [Fact]
    public async Task Plan_NoBenchReport_ExitsOneSayingRunBench()
    {
        var result = await CliProcess.RunEdgeSentryAsync("plan", "--bench", Path.Combine(_dir, "missing"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("edgesentry bench", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_BadResolution_ExitsOneNamingIt()
    {
        File.WriteAllText(Path.Combine(_dir, "report.json"), JsonSerializer.Serialize(BenchCostsTests.Report(("1x1", 1, 1, 11, 16, 3)), BenchJsonContext.Default.BenchReport));

        var result = await CliProcess.RunEdgeSentryAsync("plan", "--bench", _dir, "--resolution", "1920x1080");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("1920x1080", result.Stderr, StringComparison.Ordinal);
    }
}
