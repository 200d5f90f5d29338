using System.Diagnostics;
using EdgeSentry.Capture;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace EdgeSentry.Detection;

/// <summary>
/// An ONNX model behind <see cref="IObjectDetector"/>: its manifest says how to feed and decode it, one
/// Microsoft.ML.OnnxRuntime session runs it through an IoBinding over pinned tensors bound once here
/// (<c>RunWithBinding</c>), and a per-family decoder turns the outputs into detections. After <see cref="Open"/>,
/// <see cref="Detect"/> allocates nothing.
/// The three stages are also public so that benchmarks can time them apart.
/// </summary>
public sealed class OnnxObjectDetector : IObjectDetector
{
    private readonly ModelSession _session;
    private readonly OrtIoBinding _binding;
    private readonly PinnedTensor<float> _input;
    private readonly FramePreprocessor _preprocessor;
    private readonly IFamilyDecoder _decoder;
    private readonly bool _vectorised;
    private InputGeometry _geometry;

    private OnnxObjectDetector(
        string modelPath, ModelManifest manifest, IReadOnlyList<string> labels, ModelSession session, OrtIoBinding binding,
        PinnedTensor<float> input, FramePreprocessor preprocessor, IFamilyDecoder decoder, bool vectorised)
    {
        ModelPath = modelPath;
        Manifest = manifest;
        Labels = labels;
        _session = session;
        _binding = binding;
        _input = input;
        _preprocessor = preprocessor;
        _decoder = decoder;
        _vectorised = vectorised;
    }

    public string ModelPath { get; }

    public ModelManifest Manifest { get; }

    public IReadOnlyList<string> Labels { get; }

    /// <summary>The model's inputs and outputs as ONNX Runtime reports them.</summary>
    public IReadOnlyList<TensorInfo> ModelInputs => _session.Inputs;

    public IReadOnlyList<TensorInfo> ModelOutputs => _session.Outputs;

    /// <summary>
    /// Loads <paramref name="modelPath"/> with the manifest for its file name. The first detector opened with a
    /// <paramref name="logger"/> also routes ONNX Runtime's own log messages to it (event id 2003). Every start-up problem (missing,
    /// truncated or corrupt model, checksum mismatch, outputs that don't fit the family, wrong labels count,
    /// unknown execution provider, or one that this build or this box lacks) throws with the file and the problem
    /// in the message.
    /// </summary>
    public static OnnxObjectDetector Open(string modelPath, DetectorOptions? options = null, ILogger? logger = null)
    {
        options ??= new DetectorOptions();
        logger ??= NullLogger.Instance;
        if (logger != NullLogger.Instance)
        {
            // ORT has one environment per process: the first detector opened with a logger routes ORT's
            // messages; later calls change nothing.
            OnnxRuntimeEnvironment.RouteLogsTo(logger);
        }

        ValidateOptions(options);
        var started = Stopwatch.GetTimestamp();
        string fullPath = Path.GetFullPath(modelPath);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"model file {fullPath} does not exist", fullPath);
        }

        var manifest = ModelManifest.Resolve(fullPath, options.ManifestDirectory);
        if (options.VerifyChecksum)
        {
            manifest.VerifyChecksum(fullPath);
        }

        string labelsPath = manifest.LabelsPath(fullPath);
        var labels = LabelTable.Load(labelsPath, manifest.Classes, Path.GetFileName(fullPath));
        var filter = DetectionFilter.Create(options, labels, labelsPath);

        var disposables = new Stack<IDisposable>();
        try
        {
            var session = ModelSession.Open(fullPath, options);
            disposables.Push(session);
            var binding = session.CreateBinding();
            disposables.Push(binding);

            var m = manifest.Input;
            long[] inputShape = [1, 3, m.Height, m.Width];
            var declared = session.Inputs.FirstOrDefault(i => i.Name == m.Name);
            if (declared is null || declared.ElementType != TensorElementType.Float || !FamilyContext.ShapeMatches(declared.Shape, inputShape))
            {
                throw new InvalidDataException(
                    $"model {fullPath} has no float input '{m.Name}' [{string.Join(",", inputShape)}] as its manifest {manifest.ManifestPath} declares; " +
                    $"its inputs are {string.Join("; ", session.Inputs)}");
            }

            var input = PinnedTensor<float>.Create(inputShape);
            disposables.Push(input);
            binding.BindInput(m.Name, input.Value);

            var context = new FamilyContext(session, binding, manifest, options, filter);
            IFamilyDecoder decoder = manifest.Family switch
            {
                "yolox" => new YoloxDecoder(context),
                "nanodet" => new NanoDetDecoder(context),
                "detr" => new DetrDecoder(context),
                _ => throw new NotSupportedException($"model family '{manifest.Family}' of {manifest.ManifestPath} has no decoder"),
            };
            disposables.Push(decoder);

            var preprocessor = FramePreprocessor.FromManifest(m);
            bool vector = options.VectorisedPreprocessing && FramePreprocessor.IsVectorised;
            var detector = new OnnxObjectDetector(fullPath, manifest, labels, session, binding, input, preprocessor, decoder, vector);
            string modelName = Path.GetFileName(fullPath);
            string ortVersion = OnnxRuntimeEnvironment.Version;
            long elapsedMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            DetectionLog.ModelLoaded(logger, modelName, manifest.Family, m.Width, m.Height, options.ExecutionProvider, options.IntraOpThreads, ortVersion, elapsedMs);
            DetectionLog.PreprocessingPath(logger, modelName, vector ? "vectorised" : "scalar");
            return detector;
        }
        catch
        {
            while (disposables.Count > 0)
            {
                disposables.Pop().Dispose();
            }

            throw;
        }
    }

    public int Detect(BgrImage image, Span<Detection> results)
    {
        Preprocess(image);
        Infer();
        return Decode(results);
    }

    /// <summary>Stage 1: the frame into the input tensor.</summary>
    public void Preprocess(BgrImage image)
    {
        _geometry = _vectorised ? _preprocessor.Run(image, _input.Span) : _preprocessor.RunScalar(image, _input.Span);
        _decoder.BeforeRun(_geometry);
    }

    /// <summary>Stage 2: one ONNX Runtime run over the bound tensors (<c>RunWithBinding</c>, 0 B managed).</summary>
    public void Infer() => _session.Run(_binding);

    /// <summary>Stage 3: the outputs of the last run into detections in source pixels, best first.</summary>
    public int Decode(Span<Detection> results) => _decoder.Decode(_geometry, results);

    public void Dispose()
    {
        // The binding refers to the tensors, so it goes first.
        _binding.Dispose();
        _decoder.Dispose();
        _input.Dispose();
        _session.Dispose();
    }

    private static void ValidateOptions(DetectorOptions o)
    {
        if (o.ScoreThreshold is not (> 0f and <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(o), $"ScoreThreshold {o.ScoreThreshold} must be in (0, 1]");
        }

        if (o.NmsIouThreshold is float iou && iou is not (> 0f and <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(o), $"NmsIouThreshold {iou} must be in (0, 1]");
        }

        if (o.MaxCandidates < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(o), $"MaxCandidates {o.MaxCandidates} must be positive");
        }
    }
}
