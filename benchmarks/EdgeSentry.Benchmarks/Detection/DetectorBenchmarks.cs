using BenchmarkDotNet.Attributes;
using EdgeSentry.Capture;
using EdgeSentry.Detection;

namespace EdgeSentry.Benchmarks.Detection;

using Detection = EdgeSentry.Detection.Detection;

/// <summary>
/// One detector call on Microsoft.ML.OnnxRuntime: the whole <see cref="OnnxObjectDetector.Detect"/> (preprocess,
/// <c>RunWithBinding</c> over the IoBinding bound once, decode) and the run alone. The Allocated column is the
/// claim: 0 B per call. A short in-process job is enough for that and keeps the 2-core box free:
/// <c>dotnet run -c Release --project benchmarks/EdgeSentry.Benchmarks -- --filter '*DetectorBenchmarks*' --job short --inProcess</c>.
/// </summary>
[MemoryDiagnoser]
public class DetectorBenchmarks
{
    private readonly Detection[] _results = new Detection[512];
    private OnnxObjectDetector _detector = null!;
    private byte[] _pixels = [];
    private int _width;
    private int _height;

    [Params("yolox_nano.onnx", "nanodet_m_416.onnx", "deimv2_hgnetv2_atto_coco.onnx")]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _detector = OnnxObjectDetector.Open(BenchmarkFrames.Model(Model));
        (_pixels, _width, _height) = BenchmarkFrames.Load("vtest_f0200.png");
        _detector.Detect(new BgrImage(_pixels, _width, _height), _results);
    }

    [GlobalCleanup]
    public void Cleanup() => _detector.Dispose();

    [Benchmark]
    public int Detect() => _detector.Detect(new BgrImage(_pixels, _width, _height), _results);

    [Benchmark]
    public void RunWithBinding() => _detector.Infer();
}
