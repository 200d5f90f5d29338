using System.Diagnostics;
using System.Globalization;
using EdgeSentry.Detection;
using EdgeSentry.Native.OnnxRuntime;

namespace EdgeSentry.Benchmarking;

/// <summary>
/// Does one Run over N frames beat N runs of one frame? Measured on one session (the main layout's thread
/// count) with pre-filled inputs, for DETR-family models whose graph has a dynamic batch dimension.
/// </summary>
internal static class BatchProbe
{
    public static BatchResult Measure(string modelPath, ModelManifest manifest, DetectorOptions options, int batchSize, int runs, int warmup, BenchProgress? progress)
    {
        var c = CultureInfo.InvariantCulture;
        if (batchSize < 2)
        {
            throw new ArgumentException($"--batch {batchSize}: a batch must hold at least 2 frames");
        }

        if (manifest.Family != "detr" || manifest.Decoder.TargetSizesInput is not { } sizesName)
        {
            return new BatchResult { BatchSize = batchSize, Threads = options.IntraOpThreads, Verdict = $"not measured: family '{manifest.Family}' is exported with a fixed batch of 1" };
        }

        using var session = OrtSession.Open(Path.GetFullPath(modelPath), options.ToSessionSettings());
        var images = session.Inputs.First(i => i.Name == manifest.Input.Name);
        if (images.Shape.Count != 4 || images.Shape[0] != -1)
        {
            return new BatchResult { BatchSize = batchSize, Threads = options.IntraOpThreads, Verdict = $"not measured: input {images} has no dynamic batch dimension" };
        }

        long k = manifest.Decoder.TopK ?? 300;
        using var single = new BatchBinding(session, manifest, sizesName, 1, k);
        using var batched = new BatchBinding(session, manifest, sizesName, batchSize, k);
        int batchRuns = Math.Max(2, (runs + batchSize - 1) / batchSize);
        progress?.Start(string.Create(c, $"{Path.GetFileName(modelPath)} batch {batchSize} vs single"), runs + (batchRuns * batchSize));
        double singlePerSecond = Time(session, single, runs, warmup, 1, progress);
        double batchPerSecond = Time(session, batched, batchRuns, warmup, batchSize, progress);
        double batchFrames = batchPerSecond * batchSize;
        double speedup = batchFrames / singlePerSecond;
        string verdict = speedup >= 1.1
            ? string.Create(c, $"batching pays: {batchFrames:0.0} frames/s in batches of {batchSize} vs {singlePerSecond:0.0} frames/s single ({speedup:0.00}x)")
            : string.Create(c, $"batching does not pay on this CPU: {batchFrames:0.0} frames/s in batches of {batchSize} ({batchPerSecond:0.0} runs/s) vs {singlePerSecond:0.0} frames/s single ({speedup:0.00}x)");
        return new BatchResult
        {
            BatchSize = batchSize,
            Threads = options.IntraOpThreads,
            SingleRunsPerSecond = Math.Round(singlePerSecond, 2),
            BatchRunsPerSecond = Math.Round(batchPerSecond, 2),
            BatchFramesPerSecond = Math.Round(batchFrames, 2),
            Speedup = Math.Round(speedup, 3),
            Verdict = verdict,
        };
    }

    private static double Time(OrtSession session, BatchBinding binding, int runs, int warmup, int framesPerRun, BenchProgress? progress)
    {
        for (int i = 0; i < warmup; i++)
        {
            session.Run(binding.Binding);
        }

        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < runs; i++)
        {
            session.Run(binding.Binding);
            progress?.Advance(framesPerRun);
        }

        return runs / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>Inputs and outputs of one batch size, bound once; the input is a fixed mid-grey picture.</summary>
    private sealed class BatchBinding : IDisposable
    {
        private readonly List<IDisposable> owned = [];

        public BatchBinding(OrtSession session, ModelManifest manifest, string sizesName, int n, long k)
        {
            Binding = session.CreateBinding();
            var input = Own(OrtTensor<float>.Create([n, 3, manifest.Input.Height, manifest.Input.Width]));
            input.Span.Fill(0.5f);
            var sizes = Own(OrtTensor<long>.Create([n, 2]));
            for (int i = 0; i < n; i++)
            {
                sizes.Span[2 * i] = 768;
                sizes.Span[(2 * i) + 1] = 432;
            }

            Binding.BindInput(manifest.Input.Name, input);
            Binding.BindInput(sizesName, sizes);
            foreach (var o in session.Outputs)
            {
                if (o.ElementType == OrtElementType.Int64)
                {
                    Binding.BindOutput(o.Name, Own(OrtTensor<long>.Create([n, k])));
                }
                else if (o.Shape.Count == 3)
                {
                    Binding.BindOutput(o.Name, Own(OrtTensor<float>.Create([n, k, 4])));
                }
                else
                {
                    Binding.BindOutput(o.Name, Own(OrtTensor<float>.Create([n, k])));
                }
            }
        }

        public OrtIoBinding Binding { get; }

        public void Dispose()
        {
            Binding.Dispose();
            owned.ForEach(o => o.Dispose());
        }

        private T Own<T>(T value)
            where T : IDisposable
        {
            owned.Add(value);
            return value;
        }
    }
}
