using System.Text.Json;
using EdgeSentry.Benchmarking;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Benchmarking;

/// <summary>The bench engine on a real model and a real clip (short: 60 frames).</summary>
[Collection(ExclusiveCollection.Name)]
public class BenchEngineTests
{
    [Fact]
    public async Task RunAsync_ShortClip_ReportHasSaneNumbersAndEveryDecodedFrame()
    {
        string outDir = Directory.CreateTempSubdirectory("edgesentry-bench-").FullName;
        var settings = new BenchSettings
        {
            Models = [SharedPaths.Model("yolox_nano.onnx")],
            Footage = [SharedPaths.Clip("intel_worker_zone_preview_h264.mp4")],
            OutDirectory = outDir,
            MaxFrames = 60,
            SessionRuns = 10,
            Layouts = [new BenchLayout(2, 1)],
        };

        var report = await new BenchEngine(settings).RunAsync(CancellationToken.None);
        var (md, json) = BenchReportWriter.Write(report, outDir);

        Assert.Equal(60, report.DecodeOnly.Frames);
        Assert.True(report.DecodeOnly.FramesPerSecond > 0);
        var model = Assert.Single(report.Models);
        Assert.Equal("yolox_nano.onnx", model.Model);
        Assert.Equal("2x1", model.ChosenLayout);
        var main = model.Main;
        Assert.Equal(60, main.Frames);
        Assert.Equal(main.FramesDecoded, main.Frames);
        Assert.Equal(60, Assert.Single(main.FramesPerClip).Frames);
        Assert.Equal(20, main.SessionOnlyRuns);
        Assert.True(main.EndToEndFramesPerSecond > 0);
        Assert.True(main.SessionOnlyFramesPerSecond > 0);
        Assert.InRange(main.Ratio, 0.001, 1.5);
        Assert.True(main.SessionOnlyBeforeFramesPerSecond > 0 && main.SessionOnlyAfterFramesPerSecond > 0);
        Assert.True(main.SessionOnlyCpuMsPerFrame > 0);
        Assert.True(main.EndToEndCpuMsPerFrame > main.DecoderCpuMsPerFrame, $"{main.EndToEndCpuMsPerFrame} vs ffmpeg {main.DecoderCpuMsPerFrame}");
        Assert.True(main.DecoderCpuMsPerFrame > 0, "the reaped ffmpeg decoders' CPU must be counted");
        Assert.InRange(main.CpuRatio, 0.001, 1.5);
        Assert.True(report.DecodeOnly.CpuMsPerFrame > 0);
        Assert.Equal(6, main.Stages.Count);
        foreach (var stage in main.Stages)
        {
            Assert.Equal(60, stage.Samples);
            Assert.True(stage.P50Ms <= stage.P95Ms && stage.P95Ms <= stage.P99Ms, $"{stage.Stage}: {stage.P50Ms} {stage.P95Ms} {stage.P99Ms}");
        }

        Assert.True(main.Stages.Single(s => s.Stage == "inference").P50Ms > 0);
        Assert.True(main.DetectionsPerClass.GetValueOrDefault("person") > 0, string.Join(", ", main.DetectionsPerClass));
        var sample = Assert.Single(main.SampleFrames);
        var jpeg = await File.ReadAllBytesAsync(Path.Combine(outDir, sample));
        Assert.Equal(0xFF, jpeg[0]);
        Assert.Equal(0xD8, jpeg[1]);

        string markdown = await File.ReadAllTextAsync(md);
        Assert.Contains("| yolox_nano.onnx | 2x1 | 60 |", markdown, StringComparison.Ordinal);
        Assert.Contains("p50 ms | p95 ms | p99 ms", markdown, StringComparison.Ordinal);
        Assert.Contains("Intel Corporation", markdown, StringComparison.Ordinal);
        Assert.Contains("Megvii", markdown, StringComparison.Ordinal);
        Assert.Contains("person", markdown, StringComparison.Ordinal);

        using var doc = JsonDocument.Parse(await File.ReadAllBytesAsync(json));
        var m = doc.RootElement.GetProperty("models")[0].GetProperty("main");
        Assert.Equal(60, m.GetProperty("frames").GetInt64());
        Assert.Equal(main.Ratio, m.GetProperty("ratio").GetDouble());
        Assert.True(m.GetProperty("sessionOnlyFramesPerSecond").GetDouble() > 0);
        Assert.True(m.GetProperty("detectionsPerClass").GetProperty("person").GetInt64() > 0);
        Assert.Equal(3, doc.RootElement.GetProperty("loadAverageAtStart").GetArrayLength());
        Assert.True(doc.RootElement.GetProperty("attribution").GetArrayLength() >= 2);
    }

    [Fact]
    public async Task RunAsync_UnknownModelFile_ThrowsNamingTheFile()
    {
        var settings = new BenchSettings
        {
            Models = ["/nonexistent/unknown_model.onnx"],
            Footage = [SharedPaths.Clip("intel_worker_zone_preview_h264.mp4")],
            OutDirectory = Directory.CreateTempSubdirectory("edgesentry-bench-").FullName,
        };

        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => new BenchEngine(settings).RunAsync(CancellationToken.None));
        Assert.Contains("/nonexistent/unknown_model.onnx", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MissingClip_ThrowsNamingTheClip()
    {
        var settings = new BenchSettings
        {
            Models = [SharedPaths.Model("yolox_nano.onnx")],
            Footage = ["/nonexistent/clip.mp4"],
            OutDirectory = Directory.CreateTempSubdirectory("edgesentry-bench-").FullName,
        };

        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => new BenchEngine(settings).RunAsync(CancellationToken.None));
        Assert.Contains("footage clip /nonexistent/clip.mp4 does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_BatchOnDetrModel_ReportsBatchedAgainstSingleRuns()
    {
        var settings = new BenchSettings
        {
            Models = [SharedPaths.Model("deimv2_hgnetv2_atto_coco.onnx")],
            Footage = [SharedPaths.Clip("intel_worker_zone_preview_h264.mp4")],
            OutDirectory = Directory.CreateTempSubdirectory("edgesentry-bench-").FullName,
            MaxFrames = 8,
            SessionRuns = 16,
            BatchSize = 4,
            Layouts = [new BenchLayout(1, 1)],
        };

        var report = await new BenchEngine(settings).RunAsync(CancellationToken.None);

        var batch = Assert.Single(report.Models).Batch;
        Assert.NotNull(batch);
        Assert.Equal(4, batch.BatchSize);
        Assert.True(batch.SingleRunsPerSecond > 0, batch.Verdict);
        Assert.True(batch.BatchRunsPerSecond > 0, batch.Verdict);
        // Both figures are rounded to 0.01 on their own: frames/s may differ from 4 x the rounded runs/s by
        // 4 x 0.005 + 0.005 at most.
        Assert.InRange(batch.BatchFramesPerSecond, (batch.BatchRunsPerSecond * 4) - 0.025, (batch.BatchRunsPerSecond * 4) + 0.025);
        Assert.True(batch.Measured);
        Assert.True(batch.SingleCpuMsPerFrame > 0 && batch.BatchCpuMsPerFrame > 0, batch.Verdict);
        // Speedup is computed before the CPU figures are rounded to 0.001 ms: allow that rounding, not more.
        Assert.InRange(batch.Speedup, (batch.SingleCpuMsPerFrame / batch.BatchCpuMsPerFrame) - 0.005, (batch.SingleCpuMsPerFrame / batch.BatchCpuMsPerFrame) + 0.005);
        Assert.Contains("CPU ms per frame", batch.Verdict, StringComparison.Ordinal);
    }
}
