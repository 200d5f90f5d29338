using BenchmarkDotNet.Attributes;
using EdgeSentry.Capture;
using EdgeSentry.Detection;

namespace EdgeSentry.Benchmarks.Detection;

using Detection = EdgeSentry.Detection.Detection;

/// <summary>
/// Post-processing alone (decode + NMS, or the DETR filter) over the outputs of one real run on vtest_f0200,
/// at the references' score threshold and at a low one that floods NMS with candidates.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class DecodeBenchmarks
{
    private OnnxObjectDetector _detector = null!;
    private readonly Detection[] _results = new Detection[512];

    [Params("yolox_nano.onnx", "nanodet_m_416.onnx", "deimv2_hgnetv2_femto_coco.onnx")]
    public string Model { get; set; } = "";

    [Params(0.3f, 0.05f)]
    public float ScoreThreshold { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _detector = OnnxObjectDetector.Open(BenchmarkFrames.Model(Model), new DetectorOptions { ScoreThreshold = ScoreThreshold });
        var (pixels, width, height) = BenchmarkFrames.Load("vtest_f0200.png");
        _detector.Preprocess(new BgrImage(pixels, width, height));
        _detector.Infer();
    }

    [GlobalCleanup]
    public void Cleanup() => _detector.Dispose();

    [Benchmark]
    public int DecodeAndNms() => _detector.Decode(_results);
}
