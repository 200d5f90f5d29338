using EdgeSentry.Capture;
using EdgeSentry.Detection;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Detection;

using Detection = EdgeSentry.Detection.Detection;

public sealed class OnnxObjectDetectorTests : IDisposable
{
    private readonly string _tempDir = Directory.CreateTempSubdirectory("edgesentry-detector-").FullName;

    public void Dispose() => Directory.Delete(_tempDir, recursive: true);

    [Fact]
    public void Open_YoloxNano_LoadsCocoLabelsFromManifest()
    {
        using var detector = OnnxObjectDetector.Open(SharedPaths.Model("yolox_nano.onnx"));

        Assert.Equal("yolox", detector.Manifest.Family);
        Assert.Equal(80, detector.Labels.Count);
        Assert.Equal("person", detector.Labels[0]);
        Assert.Equal("truck", detector.Labels[7]);
    }

    [Fact]
    public void Detect_AfterWarmUp_AllocatesNothing()
    {
        using var detector = OnnxObjectDetector.Open(SharedPaths.Model("yolox_nano.onnx"));
        var frame = TestFrames.Load("vtest_f0200.png");
        var results = new Detection[64];
        detector.Detect(new BgrImage(frame.Pixels, frame.Width, frame.Height), results);

        long before = GC.GetAllocatedBytesForCurrentThread();
        int n = detector.Detect(new BgrImage(frame.Pixels, frame.Width, frame.Height), results);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(n > 0);
    }

    [Fact]
    public void Detect_SmallResultSpan_WritesBestFirstUpToItsLength()
    {
        using var detector = OnnxObjectDetector.Open(SharedPaths.Model("yolox_nano.onnx"));
        var frame = TestFrames.Load("vtest_f0200.png");
        var all = new Detection[64];
        int total = detector.Detect(new BgrImage(frame.Pixels, frame.Width, frame.Height), all);
        var three = new Detection[3];

        int n = detector.Detect(new BgrImage(frame.Pixels, frame.Width, frame.Height), three);

        Assert.Equal(3, n);
        Assert.True(total > 3);
        Assert.Equal(all.AsSpan(0, 3).ToArray(), three);
        Assert.True(three[0].Score >= three[1].Score && three[1].Score >= three[2].Score);
    }

    [Fact]
    public void Open_MissingModel_ThrowsNamingTheFile()
    {
        string path = Path.Combine(_tempDir, "yolox_nano.onnx");

        var e = Assert.Throws<FileNotFoundException>(() => OnnxObjectDetector.Open(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_TruncatedModel_ThrowsChecksumMismatchNamingTheFile()
    {
        string path = CopyModel("yolox_nano.onnx", bytes => bytes[..(bytes.Length / 3)]);

        var e = Assert.Throws<InvalidDataException>(() => OnnxObjectDetector.Open(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("sha256", e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_TruncatedModelWithoutChecksum_ThrowsOrtLoadErrorNamingTheFile()
    {
        string path = CopyModel("yolox_nano.onnx", bytes => bytes[..(bytes.Length / 3)]);

        var e = Assert.ThrowsAny<Exception>(() => OnnxObjectDetector.Open(path, new DetectorOptions { VerifyChecksum = false }));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("cannot load model", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_GarbageBytes_ThrowsNamingTheFileAndTheProblem()
    {
        string path = CopyModel("yolox_nano.onnx", bytes =>
        {
            new Random(11).NextBytes(bytes);
            return bytes;
        });

        var e = Assert.Throws<InvalidDataException>(() => OnnxObjectDetector.Open(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("does not match its manifest", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_ModelWithoutManifest_ThrowsNamingTheFile()
    {
        string path = Path.Combine(_tempDir, "mystery.onnx");
        File.Copy(SharedPaths.Model("yolox_nano.onnx"), path);

        var e = Assert.Throws<FileNotFoundException>(() => OnnxObjectDetector.Open(path));

        Assert.Contains("mystery.onnx", e.Message, StringComparison.Ordinal);
        Assert.Contains("no model manifest", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_LabelsFileWithWrongClassCount_ThrowsNamingTheLabelsFile()
    {
        string path = CopyModel("yolox_nano.onnx", bytes => bytes);
        string labels = Path.Combine(_tempDir, "coco80.names");
        File.WriteAllLines(labels, File.ReadAllLines(SharedPaths.Model("coco80.names")).Take(79));

        var e = Assert.Throws<InvalidDataException>(() => OnnxObjectDetector.Open(path));

        Assert.Contains(labels, e.Message, StringComparison.Ordinal);
        Assert.Contains("79 class names", e.Message, StringComparison.Ordinal);
        Assert.Contains("80 classes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_OutputsNotFittingDeclaredFamily_ThrowsNamingModelManifestAndFamily()
    {
        string manifests = Directory.CreateDirectory(Path.Combine(_tempDir, "manifests")).FullName;
        string yolox = File.ReadAllText(Path.Combine(ModelManifest.DefaultDirectory, "yolox_nano.json"));
        File.WriteAllText(Path.Combine(manifests, "yolox_nano.json"),
            yolox.Replace("\"family\": \"yolox\"", "\"family\": \"nanodet\"", StringComparison.Ordinal));

        var e = Assert.Throws<InvalidDataException>(() =>
            OnnxObjectDetector.Open(SharedPaths.Model("yolox_nano.onnx"), new DetectorOptions { ManifestDirectory = manifests }));

        Assert.Contains("yolox_nano.onnx", e.Message, StringComparison.Ordinal);
        Assert.Contains("declared family 'nanodet'", e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(manifests, "yolox_nano.json"), e.Message, StringComparison.Ordinal);
        Assert.Contains("do not fit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_WrongInputSizeInManifest_ThrowsNamingTheInput()
    {
        string manifests = Directory.CreateDirectory(Path.Combine(_tempDir, "manifests")).FullName;
        string yolox = File.ReadAllText(Path.Combine(ModelManifest.DefaultDirectory, "yolox_nano.json"));
        File.WriteAllText(Path.Combine(manifests, "yolox_nano.json"),
            yolox.Replace("\"width\": 416", "\"width\": 640", StringComparison.Ordinal));

        var e = Assert.Throws<InvalidDataException>(() =>
            OnnxObjectDetector.Open(SharedPaths.Model("yolox_nano.onnx"), new DetectorOptions { ManifestDirectory = manifests }));

        Assert.Contains("'images' [1,3,416,640]", e.Message, StringComparison.Ordinal);
        Assert.Contains("images: Float [1,3,416,416]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_UnknownExecutionProvider_ThrowsNamingProviderAndModel()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            OnnxObjectDetector.Open(SharedPaths.Model("yolox_nano.onnx"), new DetectorOptions { ExecutionProvider = "NoSuchProvider" }));

        Assert.Contains("unknown execution provider 'NoSuchProvider'", e.Message, StringComparison.Ordinal);
        Assert.Contains("yolox_nano.onnx", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_DetrWithLabelDedupe_KeepsOneLabelPerBox()
    {
        using var plain = OnnxObjectDetector.Open(SharedPaths.Model("deimv2_hgnetv2_femto_coco.onnx"));
        using var deduped = OnnxObjectDetector.Open(SharedPaths.Model("deimv2_hgnetv2_femto_coco.onnx"), new DetectorOptions { DeduplicateLabels = true });

        var all = GoldenTests.Detect(plain, "vtest_f0200.png");
        var one = GoldenTests.Detect(deduped, "vtest_f0200.png");

        // The reference has truck 0.67 and bus 0.43 on the van's box; the dedupe keeps the truck only.
        Assert.Contains(all, d => d.ClassId == 5 && d.Box.X1 > 600);
        Assert.DoesNotContain(one, d => d.ClassId == 5 && d.Box.X1 > 600);
        Assert.Contains(one, d => d.ClassId == 7 && d.Box.X1 > 600 && d.Box.Y1 < 60);
        Assert.True(one.Count < all.Count);
        for (int i = 0; i < one.Count; i++)
        {
            for (int j = i + 1; j < one.Count; j++)
            {
                Assert.True(one[i].Box.IntersectionOverUnion(one[j].Box) <= 0.7f, $"{GoldenReference.Format(one[i])} / {GoldenReference.Format(one[j])}");
            }
        }
    }

    [Theory]
    [InlineData("nanodet_m_416.onnx")]
    [InlineData("deimv2_hgnetv2_atto_coco.onnx")]
    public void Detect_OtherFamiliesAfterWarmUp_AllocateNothing(string model)
    {
        using var detector = OnnxObjectDetector.Open(SharedPaths.Model(model));
        var frame = TestFrames.Load("vtest_f0600.png");
        var results = new Detection[64];
        detector.Detect(new BgrImage(frame.Pixels, frame.Width, frame.Height), results);

        long before = GC.GetAllocatedBytesForCurrentThread();
        int n = detector.Detect(new BgrImage(frame.Pixels, frame.Width, frame.Height), results);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(n > 0);
    }

    [Theory]
    [InlineData("yolox_nano.onnx")]
    [InlineData("nanodet_m_416.onnx")]
    [InlineData("deimv2_hgnetv2_atto_coco.onnx")]
    public void Detect_AlternatingFrameSizes_MatchesFreshDetectors(string model)
    {
        using var shared = OnnxObjectDetector.Open(SharedPaths.Model(model));
        var sequence = new[] { "vtest_f0200.png", "intel_one_by_one_person_f0300.png", "vtest_f0600.png", "intel_one_by_one_person_f0300.png" };

        foreach (var frame in sequence)
        {
            using var fresh = OnnxObjectDetector.Open(SharedPaths.Model(model));

            Assert.Equal(GoldenTests.Detect(fresh, frame), GoldenTests.Detect(shared, frame));
        }
    }

    [Fact]
    public void Detect_MoreCandidatesThanCapacity_KeepsTheStrongest()
    {
        using var roomy = OnnxObjectDetector.Open(SharedPaths.Model("yolox_nano.onnx"), new DetectorOptions { ScoreThreshold = 0.05f });
        using var tight = OnnxObjectDetector.Open(SharedPaths.Model("yolox_nano.onnx"), new DetectorOptions { ScoreThreshold = 0.05f, MaxCandidates = 16 });

        var all = GoldenTests.Detect(roomy, "vtest_f0200.png");
        var few = GoldenTests.Detect(tight, "vtest_f0200.png");

        Assert.True(all.Count > 16, $"only {all.Count} detections at 0.05");
        Assert.InRange(few.Count, 1, 16);
        Assert.Equal(all[0], few[0]);
        Assert.True(few[^1].Score >= all[15].Score - 1e-6f);
    }

    [Theory]
    [InlineData("yolox_nano.onnx")]
    [InlineData("nanodet_m_416.onnx")]
    [InlineData("deimv2_hgnetv2_femto_coco.onnx")]
    public void Detect_ClassThresholdAndBoxLimits_DropOnlyWhatTheyName(string model)
    {
        using var plain = OnnxObjectDetector.Open(SharedPaths.Model(model));
        using var filtered = OnnxObjectDetector.Open(SharedPaths.Model(model), new DetectorOptions
        {
            ClassScoreThresholds = new Dictionary<string, float> { ["person"] = 0.7f },
            MinBoxSide = 30f,
        });

        var all = GoldenTests.Detect(plain, "vtest_f0200.png");
        var some = GoldenTests.Detect(filtered, "vtest_f0200.png");

        var expected = all.Where(d => (d.ClassId != 0 || d.Score >= 0.7f) && MathF.Min(d.Box.Width, d.Box.Height) >= 30f).ToList();
        Assert.Equal(expected, some);
        Assert.True(some.Count < all.Count);
    }

    [Fact]
    public void Detect_ClassAgnosticNms_LeavesOneLabelOnTheVan()
    {
        using var agnostic = OnnxObjectDetector.Open(SharedPaths.Model("yolox_nano.onnx"), new DetectorOptions { ClassAgnosticNms = true });

        var found = GoldenTests.Detect(agnostic, "vtest_f0200.png");

        // Class-wise, the reference has truck 0.69 and car 0.56 on the van; across classes only the truck stays.
        Assert.Contains(found, d => d.ClassId == 7 && d.Box.X1 > 640 && d.Box.X2 < 730);
        Assert.DoesNotContain(found, d => d.ClassId == 2 && d.Box.X1 > 640 && d.Box.X2 < 730);
    }

    [Fact]
    public void Open_ClassThresholdForUnknownLabel_ThrowsNamingLabelAndLabelsFile()
    {
        var e = Assert.Throws<ArgumentException>(() => OnnxObjectDetector.Open(SharedPaths.Model("yolox_nano.onnx"),
            new DetectorOptions { ClassScoreThresholds = new Dictionary<string, float> { ["unicorn"] = 0.5f } }));

        Assert.Contains("'unicorn'", e.Message, StringComparison.Ordinal);
        Assert.Contains("coco80.names", e.Message, StringComparison.Ordinal);
    }

    private string CopyModel(string model, Func<byte[], byte[]> change)
    {
        string path = Path.Combine(_tempDir, model);
        File.WriteAllBytes(path, change(File.ReadAllBytes(SharedPaths.Model(model))));
        string labels = Path.Combine(_tempDir, "coco80.names");
        if (!File.Exists(labels))
        {
            File.Copy(SharedPaths.Model("coco80.names"), labels);
        }

        return path;
    }
}
