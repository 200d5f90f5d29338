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
    private FramePreprocessor preprocessor = null!;
    private byte[] pixels = [];
    private int width;
    private int height;
    private float[] tensor = [];

    [Params("yolox_nano.json", "nanodet_m_416.json", "deimv2_hgnetv2_atto_coco.json")]
    public string Manifest { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        preprocessor = FramePreprocessor.FromManifest(ModelManifest.Load(Path.Combine(ModelManifest.DefaultDirectory, Manifest)).Input);
        (pixels, width, height) = BenchmarkFrames.Load("vtest_f0200.png");
        tensor = GC.AllocateArray<float>(preprocessor.TensorLength, pinned: true);
    }

    [Benchmark(Baseline = true)]
    public InputGeometry Scalar() => preprocessor.RunScalar(new BgrImage(pixels, width, height), tensor);

    [Benchmark]
    public InputGeometry Vector() => preprocessor.Run(new BgrImage(pixels, width, height), tensor);
}
