using System.Diagnostics;
using System.Globalization;
using EdgeSentry.Detection;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

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

        using var session = ModelSession.Open(Path.GetFullPath(modelPath), options);
        var images = session.Inputs.First(i => i.Name == manifest.Input.Name);
        if (images.Shape.Count != 4 || images.Shape[0] != -1)
        {
            return new BatchResult { BatchSize = batchSize, Threads = options.IntraOpThreads, Verdict = $"not measured: input {images} has no dynamic batch dimension" };
        }

        long k = manifest.Decoder.TopK ?? 300;
        using var single = new BatchBinding(session, manifest, sizesName, 1, k);
        using var batched = new BatchBinding(session, manifest, sizesName, batchSize, k);
        // Alternating rounds of single and batched runs, so a change in the neighbours' load hits both alike;
        // CPU ms per frame is the verdict's measure because wall time on a shared box follows their load.
        const int Rounds = 4;
        int singleRuns = Math.Max(1, runs / Rounds);
        int batchRuns = Math.Max(1, (singleRuns + batchSize - 1) / batchSize);
        progress?.Start(string.Create(c, $"{Path.GetFileName(modelPath)} batch {batchSize} vs single"), Rounds * (singleRuns + (batchRuns * batchSize)));
        Warm(session, single, warmup);
        Warm(session, batched, warmup);
        var one = default(Timing);
        var many = default(Timing);
        for (int round = 0; round < Rounds; round++)
        {
            one += Time(session, single, singleRuns, 1, progress);
            many += Time(session, batched, batchRuns, batchSize, progress);
        }

        double singlePerSecond = one.Runs / one.Seconds;
        double batchPerSecond = many.Runs / many.Seconds;
        double batchFrames = batchPerSecond * batchSize;
        double singleCpu = one.CpuMs / one.Runs;
        double batchCpu = many.CpuMs / (many.Runs * batchSize);
        bool cpu = CpuClock.Available && singleCpu > 0 && batchCpu > 0;
        double speedup = cpu ? singleCpu / batchCpu : batchFrames / singlePerSecond;
        string measure = cpu
            ? string.Create(c, $"{batchCpu:0.00} CPU ms per frame in batches of {batchSize} vs {singleCpu:0.00} single ({speedup:0.000}x; it pays from 1.100x); wall clock {batchFrames:0.0} vs {singlePerSecond:0.0} frames/s")
            : string.Create(c, $"{batchFrames:0.0} frames/s in batches of {batchSize} vs {singlePerSecond:0.0} frames/s single ({speedup:0.000}x)");
        string verdict = speedup >= 1.1 ? "batching pays: " + measure : "batching does not pay on this CPU: " + measure;
        return new BatchResult
        {
            BatchSize = batchSize,
            Threads = options.IntraOpThreads,
            SingleRunsPerSecond = Math.Round(singlePerSecond, 2),
            BatchRunsPerSecond = Math.Round(batchPerSecond, 2),
            BatchFramesPerSecond = Math.Round(batchFrames, 2),
            SingleCpuMsPerFrame = Math.Round(singleCpu, 3),
            BatchCpuMsPerFrame = Math.Round(batchCpu, 3),
            Speedup = Math.Round(speedup, 3),
            Verdict = verdict,
        };
    }

    private static void Warm(ModelSession session, BatchBinding binding, int warmup)
    {
        for (int i = 0; i < warmup; i++)
        {
            session.Run(binding.Binding);
        }
    }

    private static Timing Time(ModelSession session, BatchBinding binding, int runs, int framesPerRun, BenchProgress? progress)
    {
        var cpu = CpuClock.Now();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < runs; i++)
        {
            session.Run(binding.Binding);
            progress?.Advance(framesPerRun);
        }

        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new Timing(runs, seconds, (CpuClock.Now() - cpu).SelfMs);
    }

    private readonly record struct Timing(long Runs, double Seconds, double CpuMs)
    {
        public static Timing operator +(Timing a, Timing b) => new(a.Runs + b.Runs, a.Seconds + b.Seconds, a.CpuMs + b.CpuMs);
    }

    /// <summary>Inputs and outputs of one batch size, bound once; the input is a fixed mid-grey picture.</summary>
    private sealed class BatchBinding : IDisposable
    {
        private readonly List<IDisposable> _owned = [];

        public BatchBinding(ModelSession session, ModelManifest manifest, string sizesName, int n, long k)
        {
            Binding = session.CreateBinding();
            var input = Own(PinnedTensor<float>.Create([n, 3, manifest.Input.Height, manifest.Input.Width]));
            input.Span.Fill(0.5f);
            var sizes = Own(PinnedTensor<long>.Create([n, 2]));
            for (int i = 0; i < n; i++)
            {
                sizes.Span[2 * i] = 768;
                sizes.Span[(2 * i) + 1] = 432;
            }

            Binding.BindInput(manifest.Input.Name, input.Value);
            Binding.BindInput(sizesName, sizes.Value);
            foreach (var o in session.Outputs)
            {
                if (o.ElementType == TensorElementType.Int64)
                {
                    Binding.BindOutput(o.Name, Own(PinnedTensor<long>.Create([n, k])).Value);
                }
                else if (o.Shape.Count == 3)
                {
                    Binding.BindOutput(o.Name, Own(PinnedTensor<float>.Create([n, k, 4])).Value);
                }
                else
                {
                    Binding.BindOutput(o.Name, Own(PinnedTensor<float>.Create([n, k])).Value);
                }
            }
        }

        public OrtIoBinding Binding { get; }

        public void Dispose()
        {
            Binding.Dispose();
            _owned.ForEach(o => o.Dispose());
        }

        private T Own<T>(T value)
            where T : IDisposable
        {
            _owned.Add(value);
            return value;
        }
    }
}
