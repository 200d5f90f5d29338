using EdgeSentry.Native.OnnxRuntime;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Native.OnnxRuntime;

/// <summary>The binding against the real libonnxruntime.so.1 (installed by scripts/install-prereqs.sh) and real models.</summary>
public sealed class OrtSessionTests : IDisposable
{
    private readonly string tempDir = Directory.CreateTempSubdirectory("edgesentry-ort-").FullName;

    public void Dispose() => Directory.Delete(tempDir, recursive: true);

    [Fact]
    public void Version_LoadedLibrary_Is1_30()
    {
        Assert.Equal("1.30.0", OrtLibrary.Version);
        Assert.EndsWith(OrtLibrary.FileName, OrtLibrary.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void AvailableProviders_CpuBuild_ListsCpu()
    {
        Assert.Contains("CPUExecutionProvider", OrtEnvironment.AvailableProviders());
    }

    [Fact]
    public void ConfigureShared_AfterSharedEnvironmentExists_ChangesNothing()
    {
        _ = OrtEnvironment.Shared;

        Assert.False(OrtEnvironment.ConfigureShared(OrtLoggingLevel.Verbose, sink: null));
    }

    [Fact]
    public void Open_YoloxNano_ReadsInputAndOutputContract()
    {
        using var session = OrtSession.Open(SharedPaths.Model("yolox_nano.onnx"), new OrtSessionSettings());

        var input = Assert.Single(session.Inputs);
        Assert.Equal("images", input.Name);
        Assert.Equal(OrtElementType.Float, input.ElementType);
        Assert.Equal([1L, 3, 416, 416], input.Shape);
        var output = Assert.Single(session.Outputs);
        Assert.Equal([1L, 3549, 85], output.Shape);
    }

    [Fact]
    public void Open_Deimv2_ReportsDynamicBatchAndInt64Input()
    {
        using var session = OrtSession.Open(SharedPaths.Model("deimv2_hgnetv2_atto_coco.onnx"), new OrtSessionSettings());

        var sizes = session.Input("orig_target_sizes");
        Assert.Equal(OrtElementType.Int64, sizes.ElementType);
        Assert.Equal(-1L, session.Input("images").Shape[0]);
        Assert.Equal(OrtElementType.Int64, session.Output("labels").ElementType);
    }

    [Fact]
    public void Run_BoundTensors_WritesOutputInPlaceWithoutManagedAllocation()
    {
        using var session = OrtSession.Open(SharedPaths.Model("yolox_nano.onnx"), new OrtSessionSettings());
        using var binding = session.CreateBinding();
        using var input = OrtTensor<float>.Create([1, 3, 416, 416]);
        using var output = OrtTensor<float>.Create([1, 3549, 85]);
        input.Span.Fill(114f);
        output.Span.Fill(float.NaN);
        binding.BindInput("images", input);
        binding.BindOutput("output", output);
        session.Run(binding);

        output.Span.Fill(float.NaN);
        long before = GC.GetAllocatedBytesForCurrentThread();
        session.Run(binding);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.DoesNotContain(output.Span.ToArray(), float.IsNaN);
        float objectness = output.Span[4];
        Assert.InRange(objectness, 0f, 1f);
    }

    [Fact]
    public void Open_MissingFile_ThrowsNamingTheFile()
    {
        string path = Path.Combine(tempDir, "absent.onnx");

        var e = Assert.Throws<FileNotFoundException>(() => OrtSession.Open(path, new OrtSessionSettings()));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_TruncatedModel_ThrowsWithFileAndOrtReason()
    {
        byte[] model = File.ReadAllBytes(SharedPaths.Model("yolox_nano.onnx"));
        string path = Path.Combine(tempDir, "truncated.onnx");
        File.WriteAllBytes(path, model.AsSpan(0, model.Length / 2).ToArray());

        var e = Assert.Throws<OrtException>(() => OrtSession.Open(path, new OrtSessionSettings()));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("cannot load model", e.Message, StringComparison.Ordinal);
        Assert.NotEqual(OrtErrorCode.Ok, e.Code);
        Assert.Contains("ONNX Runtime error", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_GarbageBytes_ThrowsWithFileAndOrtReason()
    {
        string path = Path.Combine(tempDir, "garbage.onnx");
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<OrtException>(() => OrtSession.Open(path, new OrtSessionSettings()));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("Protobuf", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Open_EmptyFile_ThrowsSayingItIsEmpty()
    {
        string path = Path.Combine(tempDir, "empty.onnx");
        File.WriteAllBytes(path, []);

        var e = Assert.Throws<OrtException>(() => OrtSession.Open(path, new OrtSessionSettings()));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_UnknownExecutionProvider_ThrowsListingTheAvailableOnes()
    {
        var settings = new OrtSessionSettings { ExecutionProvider = "Quantum" };

        var e = Assert.Throws<ArgumentException>(() => OrtSession.Open(SharedPaths.Model("yolox_nano.onnx"), settings));

        Assert.Contains("unknown execution provider 'Quantum'", e.Message, StringComparison.Ordinal);
        Assert.Contains("CPUExecutionProvider", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_CudaWithoutProviderLibraries_ThrowsNamingTheMissingLibraries()
    {
        var settings = new OrtSessionSettings { ExecutionProvider = "CUDA" };

        var e = Assert.Throws<OrtException>(() => OrtSession.Open(SharedPaths.Model("yolox_nano.onnx"), settings));

        Assert.Contains("CUDAExecutionProvider", e.Message, StringComparison.Ordinal);
        Assert.Contains("yolox_nano.onnx", e.Message, StringComparison.Ordinal);
        Assert.Contains("libonnxruntime_providers_shared.so", e.Message, StringComparison.Ordinal);
        Assert.Contains("libonnxruntime_providers_cuda.so", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_TensorRtWithoutProviderLibraries_ThrowsNamingTheMissingLibraries()
    {
        var settings = new OrtSessionSettings { ExecutionProvider = "TensorrtExecutionProvider" };

        var e = Assert.Throws<OrtException>(() => OrtSession.Open(SharedPaths.Model("yolox_nano.onnx"), settings));

        Assert.Contains("libonnxruntime_providers_tensorrt.so", e.Message, StringComparison.Ordinal);
    }
}
