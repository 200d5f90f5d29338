using EdgeSentry.Native.OnnxRuntime;

namespace EdgeSentry.Tests.Native.OnnxRuntime;

public sealed class OrtLibraryTests : IDisposable
{
    private readonly string tempDir = Directory.CreateTempSubdirectory("edgesentry-ortlib-").FullName;

    public void Dispose() => Directory.Delete(tempDir, recursive: true);

    [Fact]
    public void Locate_LibraryBesideProgram_PrefersItOverTheVariable()
    {
        string local = Path.Combine(tempDir, OrtLibrary.FileName);
        File.WriteAllBytes(local, [0]);

        Assert.Equal(local, OrtLibrary.Locate(tempDir, "/elsewhere/libonnxruntime.so.1"));
    }

    [Fact]
    public void Locate_OnlyVariableSet_UsesIt()
    {
        string configured = Path.Combine(tempDir, "custom.so");
        File.WriteAllBytes(configured, [0]);

        Assert.Equal(configured, OrtLibrary.Locate(Path.Combine(tempDir, "empty"), configured));
    }

    [Fact]
    public void Locate_NothingFound_SaysToRunInstallPrereqs()
    {
        var e = Assert.Throws<DllNotFoundException>(() => OrtLibrary.Locate(tempDir, null));

        Assert.Contains("scripts/install-prereqs.sh", e.Message, StringComparison.Ordinal);
        Assert.Contains(OrtLibrary.PathVariable, e.Message, StringComparison.Ordinal);
        Assert.Contains(tempDir, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_VariableNamesMissingFile_NamesThatFile()
    {
        string missing = Path.Combine(tempDir, "nope.so");

        var e = Assert.Throws<DllNotFoundException>(() => OrtLibrary.Locate(tempDir, missing));

        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        Assert.Contains("scripts/install-prereqs.sh", e.Message, StringComparison.Ordinal);
    }
}
