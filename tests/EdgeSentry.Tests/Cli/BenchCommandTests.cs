using System.Text.Json;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Cli;

/// <summary>`edgesentry bench` as a user runs it.</summary>
[Collection(ExclusiveCollection.Name)]
public class BenchCommandTests
{
    [Fact]
    public async Task Bench_OneModelShortClip_WritesMarkdownAndJsonReport()
    {
        string outDir = Directory.CreateTempSubdirectory("edgesentry-bench-cli-").FullName;

        var run = await CliProcess.RunEdgeSentryAsync(
            "bench", "--models", SharedPaths.Model("yolox_nano.onnx"), "--footage", SharedPaths.Clip("intel_parking_cars.mp4"),
            "--max-frames", "60", "--session-runs", "10", "--out", outDir);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("| yolox_nano.onnx | 2x1 | 60 |", run.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(outDir, "report.md")));
        using var doc = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(outDir, "report.json")));
        var main = doc.RootElement.GetProperty("models")[0].GetProperty("main");
        Assert.Equal(60, main.GetProperty("frames").GetInt64());
        Assert.Equal(60, main.GetProperty("framesDecoded").GetInt64());
        Assert.InRange(main.GetProperty("ratio").GetDouble(), 0.001, 1.5);
        Assert.True(main.GetProperty("endToEndFramesPerSecond").GetDouble() > 0);
        // The motion-policy replay is on by default: one row per clip, every frame either detected or skipped.
        Assert.Contains("| intel_parking_cars.mp4 | 60 |", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("of a detection", run.Stdout, StringComparison.Ordinal);
        var clip = doc.RootElement.GetProperty("models")[0].GetProperty("motion").GetProperty("clips")[0];
        Assert.Equal(60, clip.GetProperty("framesDetected").GetInt64() + clip.GetProperty("framesSkipped").GetInt64());
    }

    [Fact]
    public async Task Bench_NoMotion_LeavesTheMotionFiguresOut()
    {
        string outDir = Directory.CreateTempSubdirectory("edgesentry-bench-cli-").FullName;

        var run = await CliProcess.RunEdgeSentryAsync(
            "bench", "--models", SharedPaths.Model("yolox_nano.onnx"), "--footage", SharedPaths.Clip("intel_parking_cars.mp4"),
            "--max-frames", "8", "--session-runs", "2", "--layouts", "1x1", "--no-motion", "--out", outDir);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("| yolox_nano.onnx | 1x1 | 8 |", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("of a detection", run.Stdout, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(outDir, "report.json")));
        Assert.False(doc.RootElement.GetProperty("models")[0].TryGetProperty("motion", out _));
    }

    [Fact]
    public async Task Bench_UnknownModel_ExitsWithMessageNamingTheFile()
    {
        var run = await CliProcess.RunEdgeSentryAsync("bench", "--models", "/nonexistent/model.onnx", "--footage", SharedPaths.Clip("intel_parking_cars.mp4"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("edgesentry bench: model file /nonexistent/model.onnx does not exist", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_MissingClip_ExitsWithMessageNamingTheClip()
    {
        var run = await CliProcess.RunEdgeSentryAsync("bench", "--models", SharedPaths.Model("yolox_nano.onnx"), "--footage", "/nonexistent/clip.mp4");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("footage clip /nonexistent/clip.mp4 does not exist", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_MalformedLayout_ExitsWithMessageNamingIt()
    {
        var run = await CliProcess.RunEdgeSentryAsync(
            "bench", "--models", SharedPaths.Model("yolox_nano.onnx"), "--footage", SharedPaths.Clip("intel_parking_cars.mp4"), "--layouts", "2by1");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("layout '2by1' is not KxT", run.Stderr, StringComparison.Ordinal);
    }
}
