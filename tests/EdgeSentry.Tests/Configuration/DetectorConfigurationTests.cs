using EdgeSentry.Configuration;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Configuration;

/// <summary>The detector section's execution provider and provider options, through the real loader and validator.</summary>
public sealed class DetectorConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgesentry-detector-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Load_UnknownProviderAndCpuWithOptions_ReportsBothWithTheirPaths()
    {
        var unknown = Errors("""{ "model": "MODEL", "executionProvider": "gpu" }""");
        var cpuOptions = Errors("""{ "model": "MODEL", "executionProvider": "cpu", "providerOptions": { "device_id": "0" } }""");

        Assert.Contains("$.detector.executionProvider: 'gpu' is not one of cpu, cuda, tensorrt", unknown);
        Assert.Contains("$.detector.providerOptions: the cpu provider takes no options (got device_id)", cpuOptions);
    }

    [Theory]
    [InlineData("cuda")]
    [InlineData("TensorRT")]
    public void Load_GpuProviderWithOptions_IsValidAndKeepsTheOptions(string provider)
    {
        string file = Write($$"""{ "model": "MODEL", "executionProvider": "{{provider}}", "providerOptions": { "device_id": "1", "trt_fp16_enable": "1" } }""");

        var options = ConfigLoader.Load(file);

        Assert.Equal(provider, options.Detector.ExecutionProvider);
        Assert.Equal("1", options.Detector.ProviderOptions!["device_id"]);
        Assert.Equal("1", options.Detector.ProviderOptions["trt_fp16_enable"]);
    }

    [Fact]
    public void Load_ProviderOptionNotAString_ReportsTheKey()
    {
        var errors = Errors("""{ "model": "MODEL", "executionProvider": "cuda", "providerOptions": { "device_id": 1 } }""");

        Assert.Contains(errors, e => e.Contains("providerOptions", StringComparison.Ordinal) && e.Contains("device_id", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.5")]
    [InlineData("601")]
    public void Load_WatchdogSecondsOutOfRange_ReportedWithItsPath(string seconds)
    {
        var errors = Errors($$"""{ "model": "MODEL", "watchdogSeconds": {{seconds}} }""");

        Assert.Contains(errors, e => e.StartsWith("$.detector.watchdogSeconds: " + seconds + " must be between 1 and 600", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_WatchdogSecondsGivenOrNot_TakenOrThirtySeconds()
    {
        Assert.Equal(5, ConfigLoader.Load(Write("""{ "model": "MODEL", "watchdogSeconds": 5 }""")).Detector.WatchdogSeconds);
        Assert.Equal(30, ConfigLoader.Load(Write("""{ "model": "MODEL" }""")).Detector.WatchdogSeconds);
    }

    private List<string> Errors(string detector)
    {
        var e = Assert.Throws<ConfigurationException>(() => ConfigLoader.Load(Write(detector)));
        return [.. e.Errors];
    }

    private string Write(string detector)
    {
        string file = Path.Combine(_dir, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(file, $$"""
            {
              "edgeId": "edge-01",
              "mqtt": { "host": "127.0.0.1", "port": 1883 },
              "detector": {{detector.Replace("MODEL", SharedPaths.Model("yolox_nano.onnx"), StringComparison.Ordinal)}},
              "cameras": [ { "id": "cam-1", "url": "{{SharedPaths.Clip("intel_parking_cars.mp4")}}" } ]
            }
            """);
        return file;
    }
}
