using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace EdgeSentry.Detection;

/// <summary>
/// Execution providers by name: <c>cpu</c> (default), <c>cuda</c> and <c>tensorrt</c>, with provider options
/// (ORT's own keys, e.g. <c>device_id</c>, <c>trt_fp16_enable</c>) passed through as given. Every way this can
/// fail at start names the provider, the model and what is missing.
/// </summary>
public static class ExecutionProviders
{
    public const string Cpu = "cpu";
    public const string Cuda = "cuda";
    public const string TensorRt = "tensorrt";

    /// <summary>The names EdgeSentry takes.</summary>
    public static IReadOnlyList<string> Names { get; } = [Cpu, Cuda, TensorRt];

    /// <summary>
    /// "cpu" (Microsoft.ML.OnnxRuntime) or "gpu" (Microsoft.ML.OnnxRuntime.Gpu.Linux): the build's
    /// EdgeSentryOrtFlavour property, stamped into the assembly.
    /// </summary>
    public static string BuildFlavour { get; } = typeof(ExecutionProviders).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "EdgeSentryOrtFlavour")?.Value ?? "cpu";

    /// <summary>The native package of <see cref="BuildFlavour"/>.</summary>
    public static string NativePackage => BuildFlavour == "gpu" ? "Microsoft.ML.OnnxRuntime.Gpu.Linux" : "Microsoft.ML.OnnxRuntime";

    /// <summary>What a GPU box must have for each provider, as the GPU flavour's native libraries name them.</summary>
    internal static readonly string[] CudaLibraries = ["libcuda.so.1", "libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13", "libcurand.so.10", "libcudnn.so.9"];

    internal static readonly string[] TensorRtLibraries = [.. CudaLibraries, "libnvinfer.so.10", "libnvonnxparser.so.10"];

    private const string GpuHint =
        "a GPU box needs the NVIDIA driver, the CUDA 13 runtime (cudart, cuBLAS, cuRAND), cuDNN 9 and, for tensorrt, TensorRT 10 " +
        "on the library path (see README, 'GPU boxes')";

    /// <summary>
    /// "cuda", "CUDA" and "CUDAExecutionProvider" all mean cuda; null for a name EdgeSentry does not know.
    /// </summary>
    public static string? Normalise(string? name)
    {
        string n = (name ?? string.Empty).Trim();
        const string Suffix = "ExecutionProvider";
        if (n.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase))
        {
            n = n[..^Suffix.Length];
        }

        return Names.FirstOrDefault(k => k.Equals(n, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>ORT's name for one of <see cref="Names"/>.</summary>
    public static string OrtName(string name) => Normalise(name) switch
    {
        Cpu => "CPUExecutionProvider",
        Cuda => "CUDAExecutionProvider",
        TensorRt => "TensorrtExecutionProvider",
        _ => throw new ArgumentException($"unknown execution provider '{name}'", nameof(name)),
    };

    /// <summary>
    /// Adds the provider to <paramref name="sessionOptions"/> (nothing for cpu, which ORT always has as the fallback).
    /// Throws <see cref="ArgumentException"/> for an unknown name or options for cpu, and
    /// <see cref="InvalidOperationException"/> when this build lacks the provider or the box lacks its libraries.
    /// </summary>
    internal static void Append(SessionOptions sessionOptions, string name, IReadOnlyDictionary<string, string>? options, string modelPath)
    {
        string model = Path.GetFileName(modelPath);
        string provider = Normalise(name) ?? throw new ArgumentException(
            $"unknown execution provider '{name}' for {modelPath}: EdgeSentry takes {string.Join(", ", Names)}; " +
            $"this ONNX Runtime {OnnxRuntimeEnvironment.Version} build has {string.Join(", ", OnnxRuntimeEnvironment.AvailableProviders)}");
        Dictionary<string, string> values = options is null ? [] : new(options, StringComparer.Ordinal);
        if (provider == Cpu)
        {
            if (values.Count > 0)
            {
                throw new ArgumentException($"execution provider cpu takes no provider options (got {string.Join(", ", values.Keys)})");
            }

            return;
        }

        string ortName = OrtName(provider);
        var available = OnnxRuntimeEnvironment.AvailableProviders;
        if (!available.Contains(ortName))
        {
            throw new InvalidOperationException(
                $"execution provider {provider} ({ortName}) is not in this build of ONNX Runtime {OnnxRuntimeEnvironment.Version}, which has " +
                $"{string.Join(", ", available)}: this is the {BuildFlavour} build flavour ({NativePackage}). Build the GPU flavour with " +
                $"-p:EdgeSentryOrtFlavour=gpu (Microsoft.ML.OnnxRuntime.Gpu.Linux, scripts/build-gpu.sh); {GpuHint}. Model: {model}");
        }

        using var captured = OnnxRuntimeEnvironment.CaptureErrors();
        try
        {
            if (provider == Cuda)
            {
                using var cuda = new OrtCUDAProviderOptions();
                cuda.UpdateOptions(values);
                sessionOptions.AppendExecutionProvider_CUDA(cuda);
            }
            else
            {
                using var trt = new OrtTensorRTProviderOptions();
                trt.UpdateOptions(values);
                sessionOptions.AppendExecutionProvider_Tensorrt(trt);

                // TensorRT takes the subgraphs it can build engines for; CUDA then runs the rest on the same GPU
                // rather than the CPU (ORT's recommended order).
                using var cuda = new OrtCUDAProviderOptions();
                if (values.TryGetValue("device_id", out var device))
                {
                    cuda.UpdateOptions(new Dictionary<string, string> { ["device_id"] = device });
                }

                sessionOptions.AppendExecutionProvider_CUDA(cuda);
            }
        }
        catch (OnnxRuntimeException e)
        {
            throw Unavailable(provider, ortName, model, e.Message, captured.Text, e);
        }
    }

    /// <summary>The error for a provider that this build has but that cannot start on this box.</summary>
    internal static InvalidOperationException Unavailable(string provider, string ortName, string model, string ortMessage, string ortLog, Exception inner)
    {
        string what = Readiness(provider);
        string log = ortLog.Length > 0 ? $"; ONNX Runtime logged: {ortLog}" : string.Empty;
        return new InvalidOperationException(
            $"execution provider {provider} ({ortName}) cannot start for {model}: {what} ({GpuHint}); ONNX Runtime said: {ortMessage.Trim()}{log}",
            inner);
    }

    /// <summary>
    /// For a GPU provider: "libraries found" or "missing on this box: ..." (each library tried by its soname with
    /// the dynamic loader, as ORT's provider libraries load them). Always "ready" for cpu.
    /// </summary>
    public static string Readiness(string provider)
    {
        if (Normalise(provider) is not { } p || p == Cpu)
        {
            return "ready";
        }

        var missing = MissingLibraries(p == TensorRt ? TensorRtLibraries : CudaLibraries);
        return missing.Count > 0 ? $"missing on this box: {string.Join(", ", missing)}" : "its libraries load";
    }

    /// <summary>Which of <paramref name="libraries"/> the dynamic loader cannot find (each tried by its soname, as ORT's providers load them).</summary>
    internal static List<string> MissingLibraries(IEnumerable<string> libraries)
    {
        var missing = new List<string>();
        foreach (var library in libraries)
        {
            if (NativeLibrary.TryLoad(library, out var handle))
            {
                NativeLibrary.Free(handle);
            }
            else
            {
                missing.Add(library);
            }
        }

        return missing;
    }
}
