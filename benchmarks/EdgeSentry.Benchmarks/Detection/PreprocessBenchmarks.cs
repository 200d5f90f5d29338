using BenchmarkDotNet.Attributes;
using EdgeSentry.Capture;
using EdgeSentry.Detection;

namespace EdgeSentry.Benchmarks.Detection;

/// <summary>One 768x576 frame into a model input: the scalar reference against the vectorised path.</summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class PreprocessBenchmarks
{
    private FramePreprocessor _preprocessor = null!;
    private byte[] _pixels = [];
    private int _width;
    private int _height;
    private float[] _tensor = [];

    [Params("yolox_nano.json", "nanodet_m_416.json", "deimv2_hgnetv2_atto_coco.json")]
    public string Manifest { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _preprocessor = FramePreprocessor.FromManifest(ModelManifest.Load(Path.Combine(ModelManifest.DefaultDirectory, Manifest)).Input);
        (_pixels, _width, _height) = BenchmarkFrames.Load("vtest_f0200.png");
        _tensor = GC.AllocateArray<float>(_preprocessor.TensorLength, pinned: true);
    }

    [Benchmark(Baseline = true)]
    public InputGeometry Scalar() => _preprocessor.RunScalar(new BgrImage(_pixels, _width, _height), _tensor);

    [Benchmark]
    public InputGeometry Vector() => _preprocessor.Run(new BgrImage(_pixels, _width, _height), _tensor);
}
