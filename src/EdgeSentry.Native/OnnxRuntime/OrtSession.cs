using System.Runtime.InteropServices;

namespace EdgeSentry.Native.OnnxRuntime;

/// <summary>
/// A loaded model. Opening it validates the file and reads the model's input and output contract;
/// <see cref="Run(OrtIoBinding)"/> is the per-frame call. One session may be run from one thread at a time
/// by EdgeSentry's convention (ORT allows more, but a bound IoBinding's buffers are shared state).
/// </summary>
public sealed unsafe class OrtSession : IDisposable
{
    private readonly OrtSessionHandle handle;

    private OrtSession(string modelPath, OrtSessionHandle handle, OrtTensorInfo[] inputs, OrtTensorInfo[] outputs)
    {
        ModelPath = modelPath;
        this.handle = handle;
        Inputs = inputs;
        Outputs = outputs;
    }

    public string ModelPath { get; }

    public IReadOnlyList<OrtTensorInfo> Inputs { get; }

    public IReadOnlyList<OrtTensorInfo> Outputs { get; }

    /// <summary>
    /// Opens <paramref name="modelPath"/>. Errors name the file: a missing file gives
    /// <see cref="FileNotFoundException"/>, an unreadable or invalid model an <see cref="OrtException"/> with ORT's reason.
    /// </summary>
    public static OrtSession Open(string modelPath, OrtSessionSettings settings, OrtEnvironment? environment = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string fullPath = System.IO.Path.GetFullPath(modelPath);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"model file {fullPath} does not exist", fullPath);
        }

        if (new FileInfo(fullPath).Length == 0)
        {
            throw new OrtException(OrtErrorCode.InvalidProtobuf, $"model file {fullPath} is empty (0 bytes): not an ONNX model");
        }

        environment ??= OrtEnvironment.Shared;
        ref readonly OrtApi api = ref OrtLibrary.Api;
        using var options = CreateOptions(settings, fullPath);
        var session = new OrtSessionHandle();
        byte[] path = OrtEnvironment.Utf8(fullPath);
        bool envRef = false, optRef = false;
        try
        {
            environment.Handle.DangerousAddRef(ref envRef);
            options.DangerousAddRef(ref optRef);
            nint raw;
            fixed (byte* p = path)
            {
                OrtLibrary.ThrowIfFailed(
                    api.CreateSession(environment.Handle.DangerousGetHandle(), p, options.DangerousGetHandle(), &raw),
                    $"ONNX Runtime cannot load model file {fullPath} (truncated, corrupt or not an ONNX model?)");
            }

            Marshal.InitHandle(session, raw);
        }
        finally
        {
            if (optRef)
            {
                options.DangerousRelease();
            }

            if (envRef)
            {
                environment.Handle.DangerousRelease();
            }
        }

        try
        {
            var inputs = ReadContract(session, fullPath, input: true);
            var outputs = ReadContract(session, fullPath, input: false);
            return new OrtSession(fullPath, session, inputs, outputs);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public OrtTensorInfo Input(string name) =>
        Find(Inputs, name) ?? throw new ArgumentException($"model {ModelPath} has no input '{name}'; it has {string.Join(", ", Inputs)}", nameof(name));

    public OrtTensorInfo Output(string name) =>
        Find(Outputs, name) ?? throw new ArgumentException($"model {ModelPath} has no output '{name}'; it has {string.Join(", ", Outputs)}", nameof(name));

    public OrtIoBinding CreateBinding()
    {
        ref readonly OrtApi api = ref OrtLibrary.Api;
        var binding = new OrtIoBindingHandle();
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            nint raw;
            OrtLibrary.ThrowIfFailed(api.CreateIoBinding(handle.DangerousGetHandle(), &raw), $"creating an IoBinding for {ModelPath}");
            Marshal.InitHandle(binding, raw);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        return new OrtIoBinding(this, binding);
    }

    /// <summary>Runs the model on the bound inputs into the bound outputs. Allocates nothing managed.</summary>
    public void Run(OrtIoBinding binding)
    {
        ArgumentNullException.ThrowIfNull(binding);
        if (!ReferenceEquals(binding.Session, this))
        {
            throw new ArgumentException("the binding belongs to another session", nameof(binding));
        }

        ref readonly OrtApi api = ref OrtLibrary.Api;
        bool sessionRef = false, bindingRef = false;
        try
        {
            handle.DangerousAddRef(ref sessionRef);
            binding.Handle.DangerousAddRef(ref bindingRef);
            nint status = api.RunWithBinding(handle.DangerousGetHandle(), 0, binding.Handle.DangerousGetHandle());
            if (status != 0)
            {
                OrtLibrary.ThrowIfFailed(status, $"running {ModelPath}");
            }
        }
        finally
        {
            if (bindingRef)
            {
                binding.Handle.DangerousRelease();
            }

            if (sessionRef)
            {
                handle.DangerousRelease();
            }
        }
    }

    public void Dispose() => handle.Dispose();

    private static OrtTensorInfo? Find(IReadOnlyList<OrtTensorInfo> list, string name)
    {
        foreach (var info in list)
        {
            if (info.Name == name)
            {
                return info;
            }
        }

        return null;
    }

    private static OrtSessionOptionsHandle CreateOptions(OrtSessionSettings s, string modelPath)
    {
        if (s.IntraOpThreads < 0 || s.InterOpThreads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(s), $"thread counts must be >= 0 (0 = ORT's default), got intra {s.IntraOpThreads}, inter {s.InterOpThreads}");
        }

        ref readonly OrtApi api = ref OrtLibrary.Api;
        var options = new OrtSessionOptionsHandle();
        nint raw;
        OrtLibrary.ThrowIfFailed(api.CreateSessionOptions(&raw), "creating session options");
        Marshal.InitHandle(options, raw);
        try
        {
            OrtLibrary.ThrowIfFailed(api.SetIntraOpNumThreads(raw, s.IntraOpThreads), "setting intra-op threads");
            OrtLibrary.ThrowIfFailed(api.SetInterOpNumThreads(raw, s.InterOpThreads), "setting inter-op threads");
            OrtLibrary.ThrowIfFailed(api.SetSessionGraphOptimizationLevel(raw, (int)s.GraphOptimization), "setting the graph optimisation level");
            OrtLibrary.ThrowIfFailed(api.SetSessionLogSeverityLevel(raw, (int)s.LogSeverity), "setting the session log severity");
            OrtLibrary.ThrowIfFailed(s.CpuMemoryArena ? api.EnableCpuMemArena(raw) : api.DisableCpuMemArena(raw), "setting the CPU memory arena");
            AddConfigEntry(raw, "session.intra_op.allow_spinning", s.AllowSpinning ? "1" : "0");
            AddConfigEntry(raw, "session.inter_op.allow_spinning", s.AllowSpinning ? "1" : "0");
            AppendProvider(raw, s, modelPath);
        }
        catch
        {
            options.Dispose();
            throw;
        }

        return options;
    }

    private static void AddConfigEntry(nint options, string key, string value)
    {
        byte[] k = OrtEnvironment.Utf8(key), v = OrtEnvironment.Utf8(value);
        fixed (byte* kp = k)
        fixed (byte* vp = v)
        {
            OrtLibrary.ThrowIfFailed(OrtLibrary.Api.AddSessionConfigEntry(options, kp, vp), $"setting session option {key}={value}");
        }
    }

    private static void AppendProvider(nint options, OrtSessionSettings s, string modelPath)
    {
        const string Suffix = "ExecutionProvider";
        string name = s.ExecutionProvider.Trim();
        string shortName = name.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase) ? name[..^Suffix.Length] : name;
        if (shortName.Equals("CPU", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var available = OrtEnvironment.AvailableProviders();
        string? match = available.FirstOrDefault(p => p.Equals(shortName + Suffix, StringComparison.OrdinalIgnoreCase));
        if (match is null)
        {
            throw new ArgumentException(
                $"unknown execution provider '{s.ExecutionProvider}' for {modelPath}; ONNX Runtime {OrtLibrary.Version} offers: {string.Join(", ", available)}",
                nameof(s));
        }

        string[] keys = s.ProviderOptions?.Keys.ToArray() ?? [];
        string[] values = keys.Select(k => s.ProviderOptions![k]).ToArray();
        using var strings = new Utf8StringArrays(keys, values);
        ref readonly OrtApi api = ref OrtLibrary.Api;
        string context = $"enabling execution provider {match} for {modelPath}";
        try
        {
            // CUDA and TensorRT are not reachable through the by-name call; they have their own option objects.
            switch (match)
            {
                case "CUDAExecutionProvider":
                {
                    nint cuda;
                    OrtLibrary.ThrowIfFailed(api.CreateCUDAProviderOptions(&cuda), context);
                    try
                    {
                        OrtLibrary.ThrowIfFailed(api.UpdateCUDAProviderOptions(cuda, strings.Keys, strings.Values, strings.Count), context);
                        OrtLibrary.ThrowIfFailed(api.SessionOptionsAppendExecutionProvider_CUDA_V2(options, cuda), context);
                    }
                    finally
                    {
                        api.ReleaseCUDAProviderOptions(cuda);
                    }

                    break;
                }

                case "TensorrtExecutionProvider":
                {
                    nint trt;
                    OrtLibrary.ThrowIfFailed(api.CreateTensorRTProviderOptions(&trt), context);
                    try
                    {
                        OrtLibrary.ThrowIfFailed(api.UpdateTensorRTProviderOptions(trt, strings.Keys, strings.Values, strings.Count), context);
                        OrtLibrary.ThrowIfFailed(api.SessionOptionsAppendExecutionProvider_TensorRT_V2(options, trt), context);
                    }
                    finally
                    {
                        api.ReleaseTensorRTProviderOptions(trt);
                    }

                    break;
                }

                default:
                {
                    byte[] provider = OrtEnvironment.Utf8(match);
                    fixed (byte* p = provider)
                    {
                        OrtLibrary.ThrowIfFailed(api.SessionOptionsAppendExecutionProvider(options, p, strings.Keys, strings.Values, strings.Count), context);
                    }

                    break;
                }
            }
        }
        catch (OrtException e)
        {
            string missing = MissingProviderLibraries(match);
            throw missing.Length == 0 ? e : new OrtException(e.Code, $"{e.Message}; missing next to {OrtLibrary.Path}: {missing}");
        }
    }

    // The GPU providers live in separate libraries that the npm package does not ship (STACK.md §A.5).
    private static string MissingProviderLibraries(string provider)
    {
        string[] needed = provider switch
        {
            "CUDAExecutionProvider" => ["libonnxruntime_providers_shared.so", "libonnxruntime_providers_cuda.so"],
            "TensorrtExecutionProvider" => ["libonnxruntime_providers_shared.so", "libonnxruntime_providers_tensorrt.so"],
            _ => [],
        };
        string dir = System.IO.Path.GetDirectoryName(OrtLibrary.Path) ?? ".";
        return string.Join(", ", needed.Where(f => !File.Exists(System.IO.Path.Combine(dir, f))));
    }

    /// <summary>Null-terminated UTF-8 copies of option keys and values, pinned for one native call.</summary>
    private sealed class Utf8StringArrays : IDisposable
    {
        private readonly List<GCHandle> handles = [];
        private readonly nint[] keys;
        private readonly nint[] values;
        private GCHandle keysHandle;
        private GCHandle valuesHandle;

        public Utf8StringArrays(string[] keyStrings, string[] valueStrings)
        {
            keys = keyStrings.Select(Pin).ToArray();
            values = valueStrings.Select(Pin).ToArray();
            keysHandle = GCHandle.Alloc(keys, GCHandleType.Pinned);
            valuesHandle = GCHandle.Alloc(values, GCHandleType.Pinned);
        }

        public byte** Keys => (byte**)keysHandle.AddrOfPinnedObject();

        public byte** Values => (byte**)valuesHandle.AddrOfPinnedObject();

        public nuint Count => (nuint)keys.Length;

        public void Dispose()
        {
            keysHandle.Free();
            valuesHandle.Free();
            foreach (var h in handles)
            {
                h.Free();
            }
        }

        private nint Pin(string text)
        {
            var handle = GCHandle.Alloc(OrtEnvironment.Utf8(text), GCHandleType.Pinned);
            handles.Add(handle);
            return handle.AddrOfPinnedObject();
        }
    }

    private static OrtTensorInfo[] ReadContract(OrtSessionHandle session, string modelPath, bool input)
    {
        ref readonly OrtApi api = ref OrtLibrary.Api;
        nint s = session.DangerousGetHandle();
        string kind = input ? "input" : "output";
        nuint count;
        OrtLibrary.ThrowIfFailed(input ? api.SessionGetInputCount(s, &count) : api.SessionGetOutputCount(s, &count), $"counting the {kind}s of {modelPath}");
        nint allocator;
        OrtLibrary.ThrowIfFailed(api.GetAllocatorWithDefaultOptions(&allocator), "getting the default allocator");

        var result = new OrtTensorInfo[(int)count];
        for (nuint i = 0; i < count; i++)
        {
            byte* rawName;
            OrtLibrary.ThrowIfFailed(
                input ? api.SessionGetInputName(s, i, allocator, &rawName) : api.SessionGetOutputName(s, i, allocator, &rawName),
                $"reading the name of {kind} {i} of {modelPath}");
            string name;
            try
            {
                name = Marshal.PtrToStringUTF8((nint)rawName) ?? string.Empty;
            }
            finally
            {
                OrtLibrary.ThrowIfFailed(api.AllocatorFree(allocator, rawName), "freeing a name");
            }

            using var typeInfo = new OrtTypeInfoHandle();
            nint rawType;
            OrtLibrary.ThrowIfFailed(
                input ? api.SessionGetInputTypeInfo(s, i, &rawType) : api.SessionGetOutputTypeInfo(s, i, &rawType),
                $"reading the type of {kind} '{name}' of {modelPath}");
            Marshal.InitHandle(typeInfo, rawType);

            // Borrowed from the type info: valid until typeInfo is released, never released itself.
            nint tensorInfo;
            OrtLibrary.ThrowIfFailed(api.CastTypeInfoToTensorInfo(rawType, &tensorInfo), $"reading the tensor type of {kind} '{name}'");
            if (tensorInfo == 0)
            {
                result[i] = new OrtTensorInfo(name, OrtElementType.Undefined, []);
                continue;
            }

            int elementType;
            nuint rank;
            OrtLibrary.ThrowIfFailed(api.GetTensorElementType(tensorInfo, &elementType), $"reading the element type of {kind} '{name}'");
            OrtLibrary.ThrowIfFailed(api.GetDimensionsCount(tensorInfo, &rank), $"reading the rank of {kind} '{name}'");
            var dims = new long[(int)rank];
            fixed (long* d = dims)
            {
                OrtLibrary.ThrowIfFailed(api.GetDimensions(tensorInfo, d, rank), $"reading the shape of {kind} '{name}'");
            }

            result[i] = new OrtTensorInfo(name, (OrtElementType)elementType, dims);
        }

        return result;
    }
}
