using System.Diagnostics;
using EdgeSentry.Capture;
using EdgeSentry.Detection;
using EdgeSentry.Tests.Peers;
using Xunit.Abstractions;

namespace EdgeSentry.Tests.Detection;

using Detection = EdgeSentry.Detection.Detection;

/// <summary>Real models on the real test frames against reference_detections.json (rule of compare_golden.py).</summary>
public sealed class GoldenTests(ITestOutputHelper output)
{
    public static readonly string[] Models = ["yolox_nano.onnx", "nanodet_m_416.onnx", "deimv2_hgnetv2_atto_coco.onnx", "deimv2_hgnetv2_femto_coco.onnx"];

    public static TheoryData<string, string> AllCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var model in Models)
        {
            foreach (var frame in TestFrames.GoldenFrames)
            {
                data.Add(model, frame);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void Detect_GoldenFrame_MatchesReference(string model, string frame)
    {
        var detections = Run(model, frame, vectorised: true);

        var failures = GoldenReference.Compare(GoldenReference.Load(model, frame), detections);

        Assert.True(failures.Count == 0, $"{model} on {frame}:\n{string.Join("\n", failures)}\ngot:\n{string.Join("\n", detections.Select(GoldenReference.Format))}");
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void Detect_ScalarPreprocessing_MatchesReference(string model, string frame)
    {
        var detections = Run(model, frame, vectorised: false);

        var failures = GoldenReference.Compare(GoldenReference.Load(model, frame), detections);

        Assert.True(failures.Count == 0, $"{model} on {frame}:\n{string.Join("\n", failures)}");
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public void Detect_GoldenFrame_PassesCompareGoldenTool(string model, string frame)
    {
        using var detector = Open(model, vectorised: true);
        var detections = Detect(detector, frame);
        string jsonl = Path.Combine(Path.GetTempPath(), $"edgesentry-golden-{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(jsonl, DetectionJsonLines.Frame(0, 0.0, detections, detector.Labels));
        try
        {
            var (exit, text) = RunCompareGolden(jsonl, frame, model);
            output.WriteLine(text);

            Assert.True(exit == 0, $"compare_golden.py exit {exit}:\n{text}");
            Assert.Contains("PASS", text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(jsonl);
        }
    }

    [Fact]
    public void CompareGoldenTool_ShiftedBoxes_Fails()
    {
        // Proves the tool (and how the test drives it) can fail: a half-stride offset must be caught.
        using var detector = Open("yolox_nano.onnx", vectorised: true);
        var shifted = Detect(detector, "vtest_f0200.png")
            .Select(d => d with { Box = new BoundingBox(d.Box.X1 + 8, d.Box.Y1 + 8, d.Box.X2 + 8, d.Box.Y2 + 8) })
            .ToList();
        string jsonl = Path.Combine(Path.GetTempPath(), $"edgesentry-golden-{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(jsonl, DetectionJsonLines.Frame(0, 0.0, shifted, detector.Labels));
        try
        {
            var (exit, text) = RunCompareGolden(jsonl, "vtest_f0200.png", "yolox_nano.onnx");

            Assert.Equal(1, exit);
            Assert.Contains("FAIL", text, StringComparison.Ordinal);
            Assert.NotEmpty(GoldenReference.Compare(GoldenReference.Load("yolox_nano.onnx", "vtest_f0200.png"), shifted));
        }
        finally
        {
            File.Delete(jsonl);
        }
    }

    internal static OnnxObjectDetector Open(string model, bool vectorised, DetectorOptions? options = null) =>
        OnnxObjectDetector.Open(SharedPaths.Model(model), (options ?? new DetectorOptions()) with { VectorisedPreprocessing = vectorised });

    internal static List<Detection> Detect(OnnxObjectDetector detector, string frame)
    {
        var f = TestFrames.Load(frame);
        var results = new Detection[256];
        int n = detector.Detect(new BgrImage(f.Pixels, f.Width, f.Height), results);
        return results.AsSpan(0, n).ToArray().ToList();
    }

    private static List<Detection> Run(string model, string frame, bool vectorised)
    {
        using var detector = Open(model, vectorised);
        return Detect(detector, frame);
    }

    private static (int Exit, string Output) RunCompareGolden(string jsonl, string frame, string model)
    {
        const string Python = "/usr/bin/python3";
        Assert.True(File.Exists(Python), "python3 is missing: apt-get install python3 (compare_golden.py runs on it)");
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(SharedPaths.Tools, "compare_golden.py"), jsonl, "--image", frame, "--model", model, "--verbose" })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout + stderr.Result);
    }
}
