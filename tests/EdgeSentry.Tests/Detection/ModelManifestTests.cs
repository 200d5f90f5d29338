using EdgeSentry.Detection;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Detection;

public sealed class ModelManifestTests : IDisposable
{
    private readonly string _tempDir = Directory.CreateTempSubdirectory("edgesentry-manifest-").FullName;

    public void Dispose() => Directory.Delete(_tempDir, recursive: true);

    [Theory]
    [InlineData("yolox_nano.onnx", "yolox")]
    [InlineData("nanodet_m_416.onnx", "nanodet")]
    [InlineData("deimv2_hgnetv2_atto_coco.onnx", "detr")]
    [InlineData("deimv2_hgnetv2_femto_coco.onnx", "detr")]
    public void Resolve_SharedModel_FindsItsManifestAndChecksumMatches(string model, string family)
    {
        string path = SharedPaths.Model(model);

        var manifest = ModelManifest.Resolve(path);
        manifest.VerifyChecksum(path);

        Assert.Equal(family, manifest.Family);
        Assert.Equal(model, manifest.File);
        Assert.True(File.Exists(manifest.LabelsPath(path)), manifest.LabelsPath(path));
        Assert.Equal(new FileInfo(path).Length, manifest.SizeBytes);
    }

    [Fact]
    public void Load_ManyBadFields_ListsEveryProblemWithTheFile()
    {
        string path = Path.Combine(_tempDir, "bad.json");
        File.WriteAllText(path, """
            { "file": "x.onnx", "family": "ssd", "sha256": "abc", "source": "s", "licence": "l", "labels": "coco80.names", "classes": 80,
              "input": { "name": "images", "width": 416, "height": 416, "colourOrder": "bgra", "resize": "crop", "kernel": "bilinear", "std": [1, 0, 1] },
              "decoder": {} }
            """);

        var e = Assert.Throws<InvalidDataException>(() => ModelManifest.Load(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        foreach (var field in new[] { "family", "sha256", "input.colourOrder", "input.resize", "input.std" })
        {
            Assert.Contains(field + ":", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Load_UnknownField_IsRejectedNamingIt()
    {
        string path = Path.Combine(_tempDir, "typo.json");
        string good = File.ReadAllText(Path.Combine(ModelManifest.DefaultDirectory, "yolox_nano.json"));
        File.WriteAllText(path, good.Replace("\"classes\"", "\"clases\"", StringComparison.Ordinal));

        var e = Assert.Throws<InvalidDataException>(() => ModelManifest.Load(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("clases", e.Message, StringComparison.Ordinal);
    }
}
