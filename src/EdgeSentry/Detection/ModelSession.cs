using Microsoft.ML.OnnxRuntime;

namespace EdgeSentry.Detection;

/// <summary>
/// One ONNX Runtime session over a model file, with the model's input and output contract read once and one
/// <see cref="RunOptions"/> reused for every run. <see cref="Run"/> over an IoBinding whose inputs and outputs
/// were bound once allocates nothing managed. One thread at a time runs a session (a bound IoBinding's
/// buffers are shared state); the detector gives each worker its own.
/// </summary>
internal sealed class ModelSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;

    private ModelSession(string modelPath, InferenceSession session, RunOptions runOptions)
    {
        ModelPath = modelPath;
        _session = session;
        _runOptions = runOptions;
        Inputs = session.InputNames.Select(n => TensorInfo.From(n, session.InputMetadata[n])).ToArray();
        Outputs = session.OutputNames.Select(n => TensorInfo.From(n, session.OutputMetadata[n])).ToArray();
    }

    public string ModelPath { get; }

    public IReadOnlyList<TensorInfo> Inputs { get; }

    public IReadOnlyList<TensorInfo> Outputs { get; }

    /// <summary>
    /// Opens <paramref name="modelPath"/> with the options' threads, graph optimisation and execution provider.
    /// A file ORT cannot load gives <see cref="InvalidDataException"/> naming it; provider problems come from
    /// <see cref="ExecutionProviders.Append"/>.
    /// </summary>
    public static ModelSession Open(string modelPath, DetectorOptions options)
    {
        string fullPath = Path.GetFullPath(modelPath);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"model file {fullPath} does not exist", fullPath);
        }

        if (new FileInfo(fullPath).Length == 0)
        {
            throw new InvalidDataException($"model file {fullPath} is empty (0 bytes): not an ONNX model");
        }

        if (options.IntraOpThreads < 0 || options.InterOpThreads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"thread counts must be >= 0 (0 = ORT's default), got intra {options.IntraOpThreads}, inter {options.InterOpThreads}");
        }

        _ = OnnxRuntimeEnvironment.Instance;
        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = options.InterOpThreads,
            GraphOptimizationLevel = options.GraphOptimization,
            EnableCpuMemArena = options.CpuMemoryArena,

            // Error, not warning: NanoDet-m lists its weights as graph inputs and ORT warns once per initializer.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };

        // Spinning workers burn a core between frames, which on a shared edge box steals the time that decoding
        // and the other sessions need.
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        sessionOptions.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        ExecutionProviders.Append(sessionOptions, options.ExecutionProvider, options.ProviderOptions, fullPath);

        InferenceSession session;
        using (var captured = OnnxRuntimeEnvironment.CaptureErrors())
        {
            try
            {
                session = new InferenceSession(fullPath, sessionOptions);
            }
            catch (OnnxRuntimeException e) when (ExecutionProviders.Normalise(options.ExecutionProvider) is { } p && p != ExecutionProviders.Cpu)
            {
                // With a GPU provider the libraries may load and the device still be missing (no driver, no GPU).
                throw ExecutionProviders.Unavailable(p, ExecutionProviders.OrtName(p), Path.GetFileName(fullPath), e.Message, captured.Text, e);
            }
            catch (OnnxRuntimeException e)
            {
                throw new InvalidDataException($"ONNX Runtime cannot load model file {fullPath} (truncated, corrupt or not an ONNX model?): {e.Message}", e);
            }
        }

        var runOptions = new RunOptions();
        try
        {
            return new ModelSession(fullPath, session, runOptions);
        }
        catch
        {
            runOptions.Dispose();
            session.Dispose();
            throw;
        }
    }

    public OrtIoBinding CreateBinding() => _session.CreateIoBinding();

    /// <summary>Runs the model on the bound inputs into the bound outputs.</summary>
    public void Run(OrtIoBinding binding) => _session.RunWithBinding(_runOptions, binding);

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }
}
