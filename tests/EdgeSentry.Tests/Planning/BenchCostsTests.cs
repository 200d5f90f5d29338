using System.Text.Json;
using EdgeSentry.Benchmarking;
using EdgeSentry.Planning;

namespace EdgeSentry.Tests.Planning;

public sealed class BenchCostsTests
{
    internal static BenchReport Report(params (string Layout, int Workers, int Threads, double SessionMs, double EndToEndMs, double DecoderMs)[] layouts)
    {
        var results = layouts.Select(l => new LayoutResult
        {
            Layout = l.Layout,
            Workers = l.Workers,
            Threads = l.Threads,
            SessionOnlyRuns = 100,
            SessionOnlyFramesPerSecond = 1000 / l.SessionMs,
            SessionOnlyCpuMsPerFrame = l.SessionMs,
            EndToEndCpuMsPerFrame = l.EndToEndMs,
            DecoderCpuMsPerFrame = l.DecoderMs,
            Frames = 100,
            FramesPerClip = [],
            FramesDecoded = 100,
            Seconds = 1,
            EndToEndFramesPerSecond = 100,
            Ratio = 1,
            DecodeLimited = false,
            SharedCpuCeilingFramesPerSecond = 100,
            Verdict = "test",
            Stages = [],
            DetectionsPerClass = new Dictionary<string, long>(),
        }).ToList();
        return new BenchReport
        {
            StartedAt = DateTimeOffset.UnixEpoch,
            Seconds = 1,
            ProcessorCount = 2,
            LoadAverageAtStart = [0, 0, 0],
            LoadAverageAtEnd = [0, 0, 0],
            OnnxRuntimeVersion = "test",
            DecodeOnly = new DecodeOnlyResult([], 0, 0, 0, 0),
            Models = [new ModelResult { Model = "yolox_nano.onnx", Family = "yolox", InputWidth = 416, InputHeight = 416, ChosenLayout = results[0].Layout, Layouts = results, Main = results[0] }],
            Attribution = [],
        };
    }

    [Fact]
    public void Load_BenchFolder_TakesInProcessCpuPerLayout()
    {
        string dir = Directory.CreateTempSubdirectory("edgesentry-plan-bench-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "report.json"), JsonSerializer.Serialize(Report(("1x1", 1, 1, 11, 16, 3), ("2x1", 2, 1, 12, 19.5, 3.5)), BenchJsonContext.Default.BenchReport));

            var costs = BenchCosts.Load(dir);

            Assert.Equal(2, costs.Count);
            Assert.Equal(new InferenceCost("yolox_nano.onnx", "1x1", 1, 1, 13, 11), costs[0]);
            Assert.Equal(16, costs[1].CpuMsPerDetection, 9);
            Assert.Equal(2, costs[1].MaxInferenceCores);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void FromReport_NoEndToEndCpu_FallsBackToSessionOnly()
    {
        var costs = BenchCosts.FromReport(Report(("1x1", 1, 1, 11, 0, 0)), "r.json");

        Assert.Equal(11, costs[0].CpuMsPerDetection);
    }

    [Fact]
    public void Load_MissingReport_SaysToRunBench()
    {
        var e = Assert.Throws<FileNotFoundException>(() => BenchCosts.Load(Path.Combine(Path.GetTempPath(), "no-such-bench-" + Guid.NewGuid())));
        Assert.Contains("edgesentry bench", e.Message, StringComparison.Ordinal);
    }
}
