using EdgeSentry.Detection;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Detection;

/// <summary>Execution providers by name against the real Microsoft.ML.OnnxRuntime of the normal (CPU flavour) build.</summary>
public sealed class ExecutionProvidersTests
{
    [Theory]
    [InlineData("cpu", "cpu")]
    [InlineData("CPU", "cpu")]
    [InlineData("cuda", "cuda")]
    [InlineData(" CUDAExecutionProvider ", "cuda")]
    [InlineData("TensorRT", "tensorrt")]
    [InlineData("TensorrtExecutionProvider", "tensorrt")]
    [InlineData("gpu", null)]
    [InlineData("", null)]
    public void Normalise_ProviderName_GivesEdgeSentryNameOrNull(string name, string? expected)
    {
        Assert.Equal(expected, ExecutionProviders.Normalise(name));
    }

    [Fact]
    public void Version_ManagedAndNativePackages_Are1_31_0()
    {
        // .Managed and the native package must be the same version (Directory.Packages.props); the native
        // library reports its own.
        Assert.Equal("1.31.0", OnnxRuntimeEnvironment.Version);
        Assert.Equal("1.31.0", typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version?.ToString(3));
    }

    [Fact]
    public void AvailableProviders_CpuFlavour_HasOnlyCpu()
    {
        Assert.Equal("cpu", ExecutionProviders.BuildFlavour);
        Assert.Equal(["CPUExecutionProvider"], OnnxRuntimeEnvironment.AvailableProviders);
    }

    [Theory]
    [InlineData("cuda", "CUDAExecutionProvider")]
    [InlineData("tensorrt", "TensorrtExecutionProvider")]
    public void Open_GpuProviderOnCpuFlavour_FailsNamingProviderFlavourAndWhatAGpuBoxNeeds(string provider, string ortName)
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            OnnxObjectDetector.Open(SharedPaths.Model("yolox_nano.onnx"), new DetectorOptions { ExecutionProvider = provider }));

        Assert.Contains($"execution provider {provider} ({ortName}) is not in this build of ONNX Runtime 1.31.0, which has CPUExecutionProvider", e.Message, StringComparison.Ordinal);
        Assert.Contains("cpu build flavour (Microsoft.ML.OnnxRuntime)", e.Message, StringComparison.Ordinal);
        Assert.Contains("-p:EdgeSentryOrtFlavour=gpu (Microsoft.ML.OnnxRuntime.Gpu.Linux", e.Message, StringComparison.Ordinal);
        Assert.Contains("CUDA 13 runtime", e.Message, StringComparison.Ordinal);
        Assert.Contains("cuDNN 9", e.Message, StringComparison.Ordinal);
        Assert.Contains("yolox_nano.onnx", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_CpuWithProviderOptions_ThrowsNamingTheOptions()
    {
        var e = Assert.Throws<ArgumentException>(() => OnnxObjectDetector.Open(SharedPaths.Model("yolox_nano.onnx"),
            new DetectorOptions { ExecutionProvider = "cpu", ProviderOptions = new Dictionary<string, string> { ["device_id"] = "0" } }));

        Assert.Contains("execution provider cpu takes no provider options (got device_id)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingLibraries_OnePresentOneAbsent_NamesOnlyTheAbsentOne()
    {
        var missing = ExecutionProviders.MissingLibraries(["libc.so.6", "libedgesentry-no-such-library.so.13"]);

        Assert.Equal(["libedgesentry-no-such-library.so.13"], missing);
    }

    [Fact]
    public void Readiness_Cpu_IsReady()
    {
        Assert.Equal("ready", ExecutionProviders.Readiness("cpu"));
    }
}
