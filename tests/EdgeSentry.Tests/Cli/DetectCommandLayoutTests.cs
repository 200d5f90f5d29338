using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Cli;

/// <summary>`edgesentry detect` with K sessions and with execution providers, as a user runs it.</summary>
public class DetectCommandLayoutTests
{
    [Fact]
    public async Task Detect_DefaultLayoutOverClip_PrintsTheSameLinesAsOneWorkerInFrameOrder()
    {
        string clip = SharedPaths.Clip("meva_school_gym_crowd_annotated_h264.mp4");
        var one = await CliProcess.RunEdgeSentryAsync("detect", "--model", SharedPaths.Model("yolox_nano.onnx"), "--input", clip, "--json", "--max-frames", "60", "--workers", "1");
        var layout = await CliProcess.RunEdgeSentryAsync("detect", "--model", SharedPaths.Model("yolox_nano.onnx"), "--input", clip, "--json", "--max-frames", "60");

        Assert.True(one.ExitCode == 0, one.Stderr);
        Assert.True(layout.ExitCode == 0, layout.Stderr);
        var expected = one.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var actual = layout.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(60, actual.Length);
        Assert.Equal(expected, actual);
        Assert.Contains("\"label\":\"person\"", actual[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detect_ProviderCudaOnCpuFlavour_ExitsAtStartNamingWhatIsMissing()
    {
        var run = await CliProcess.RunEdgeSentryAsync("detect", "--model", SharedPaths.Model("yolox_nano.onnx"), "--input", SharedPaths.TestFrame("vtest_f0200.png"), "--json", "--provider", "cuda");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.StartsWith("edgesentry detect: execution provider cuda (CUDAExecutionProvider) is not in this build", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("-p:EdgeSentryOrtFlavour=gpu", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("CUDA 13 runtime", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detect_ZeroWorkers_ExitsNamingTheLayout()
    {
        var run = await CliProcess.RunEdgeSentryAsync("detect", "--model", SharedPaths.Model("yolox_nano.onnx"), "--input", SharedPaths.TestFrame("vtest_f0200.png"), "--workers", "0");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("layout '0x1' is not KxT", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Providers_CpuFlavour_ListsCpuReadyAndGpuProvidersNotInThisBuild()
    {
        var run = await CliProcess.RunEdgeSentryAsync("providers");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("ONNX Runtime 1.31.0, build flavour cpu (Microsoft.ML.OnnxRuntime)", run.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"cpu\s+CPUExecutionProvider\s+ready", run.Stdout);
        Assert.Matches(@"cuda\s+CUDAExecutionProvider\s+not in this build", run.Stdout);
        Assert.Matches(@"tensorrt\s+TensorrtExecutionProvider\s+not in this build", run.Stdout);
    }
}
