using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Cli;

/// <summary>`edgesentry detect` as a user runs it, checked by the shared golden tool.</summary>
public class DetectCommandTests
{
    public static TheoryData<string, string> ModelsAndFrames()
    {
        var data = new TheoryData<string, string>();
        foreach (var model in new[] { "yolox_nano.onnx", "nanodet_m_416.onnx", "deimv2_hgnetv2_atto_coco.onnx", "deimv2_hgnetv2_femto_coco.onnx" })
        {
            foreach (var frame in new[] { "vtest_f0200.png", "vtest_f0600.png", "intel_one_by_one_person_f0300.png" })
            {
                data.Add(model, frame);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ModelsAndFrames))]
    public async Task Detect_TestFrameAsJson_PassesCompareGolden(string model, string frame)
    {
        var run = await CliProcess.RunEdgeSentryAsync("detect", "--model", SharedPaths.Model(model), "--input", SharedPaths.TestFrame(frame), "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("{\"frame\":0,\"ptsSeconds\":0,\"detections\":[", lines[0], StringComparison.Ordinal);
        var jsonl = Path.Combine(Directory.CreateTempSubdirectory("edgesentry-detect-").FullName, "out.jsonl");
        await File.WriteAllTextAsync(jsonl, run.Stdout);

        Assert.True(File.Exists("/usr/bin/python3"), "compare_golden.py needs /usr/bin/python3 (apt-get install python3)");
        var check = await CliProcess.RunAsync("/usr/bin/python3", [Path.Combine(SharedPaths.Tools, "compare_golden.py"), jsonl, "--image", frame, "--model", model]);

        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
        Assert.Contains("PASS", check.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detect_VideoClip_WritesOneLinePerFrameWithRisingTimestamps()
    {
        var run = await CliProcess.RunEdgeSentryAsync("detect", "--model", SharedPaths.Model("yolox_nano.onnx"), "--input", SharedPaths.Clip("intel_worker_zone_preview_h264.mp4"), "--json", "--max-frames", "20");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(20, lines.Length);
        using var last = System.Text.Json.JsonDocument.Parse(lines[^1]);
        Assert.Equal(19, last.RootElement.GetProperty("frame").GetInt32());
        Assert.Equal(19 / 15.0, last.RootElement.GetProperty("ptsSeconds").GetDouble(), 3);
        Assert.Contains(lines, l => l.Contains("\"label\":\"person\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Detect_MissingModel_ExitsWithMessageNamingTheFile()
    {
        var run = await CliProcess.RunEdgeSentryAsync("detect", "--model", "/nonexistent/model.onnx", "--input", SharedPaths.TestFrame("vtest_f0200.png"));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("/nonexistent/model.onnx", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detect_AnnotatedJpegOut_WritesAJpeg()
    {
        var jpg = Path.Combine(Directory.CreateTempSubdirectory("edgesentry-detect-").FullName, "annotated.jpg");
        var run = await CliProcess.RunEdgeSentryAsync("detect", "--model", SharedPaths.Model("yolox_nano.onnx"), "--input", SharedPaths.TestFrame("vtest_f0200.png"), "--out", jpg);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("person", run.Stdout, StringComparison.Ordinal);
        var bytes = await File.ReadAllBytesAsync(jpg);
        Assert.True(bytes.Length > 1000);
        Assert.Equal(0xD8, bytes[1]);
    }
}
