using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using EdgeSentry.Alerts;
using EdgeSentry.Capture;
using EdgeSentry.Detection;
using Microsoft.ML.OnnxRuntime;

namespace EdgeSentry.Benchmarking;

/// <summary>
/// Measures detectors on footage: decode-only, session-only and end-to-end throughput, per-stage latency,
/// detections per class, and optionally batched against single runs. End-to-end is lossless: each clip has
/// its own ffmpeg and reader thread filling a small <see cref="FramePool"/>, frames go through one bounded
/// queue to K workers (one <see cref="OnnxObjectDetector"/> each), and a full pool blocks the reader, which
/// back-pressures ffmpeg instead of dropping.
/// </summary>
public sealed class BenchEngine
{
    private const int FramesPerClipPool = 4;
    private const int MaxDetections = 512;
    private readonly BenchSettings _settings;
    private readonly BenchProgress? _progress;

    public BenchEngine(BenchSettings settings, BenchProgress? progress = null)
    {
        _settings = settings;
        _progress = progress;
    }

    /// <summary>
    /// Checks every input first (model files, manifests, clips), then runs the whole bench and writes nothing:
    /// see <see cref="BenchReportWriter"/>. Bad input throws with the file and the problem.
    /// </summary>
    public async Task<BenchReport> RunAsync(CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        long startTicks = Stopwatch.GetTimestamp();
        double[] loadAtStart = LoadAverage();
        if (_settings.Models.Count == 0 || _settings.Footage.Count == 0)
        {
            throw new ArgumentException("bench needs at least one model (--models) and one clip (--footage)");
        }

        foreach (var clip in _settings.Footage)
        {
            if (!File.Exists(clip))
            {
                throw new FileNotFoundException($"footage clip {Path.GetFullPath(clip)} does not exist", clip);
            }
        }

        foreach (var model in _settings.Models)
        {
            // Opening once up front turns a wrong path, manifest, checksum or labels file into an error
            // before any minute is spent measuring the other models.
            using var probe = OnnxObjectDetector.Open(model, Options(1));
        }

        var clips = new List<ClipSource>();
        foreach (var path in _settings.Footage)
        {
            var input = new CameraInput { Location = path };
            var info = await VideoInfo.ProbeAsync(input, TimeSpan.FromSeconds(15), cancellationToken);
            clips.Add(new ClipSource(path, input, info));
        }

        var decodeOnly = DecodeOnly(clips, cancellationToken);
        var models = new List<ModelResult>();
        var attribution = new List<string>();
        Directory.CreateDirectory(_settings.OutDirectory);
        foreach (var model in _settings.Models)
        {
            models.Add(BenchModel(model, clips, decodeOnly, cancellationToken));
        }

        return new BenchReport
        {
            StartedAt = started,
            Seconds = Math.Round(Stopwatch.GetElapsedTime(startTicks).TotalSeconds, 2),
            ProcessorCount = Environment.ProcessorCount,
            LoadAverageAtStart = loadAtStart,
            LoadAverageAtEnd = LoadAverage(),
            OnnxRuntimeVersion = OnnxRuntimeEnvironment.Version,
            MaxFrames = _settings.MaxFrames,
            DecodeOnly = decodeOnly,
            Models = models,
            Attribution = BenchAttribution.For(_settings.Models, _settings.Footage),
        };
    }

    private DetectorOptions Options(int threads) => new()
    {
        IntraOpThreads = threads,
        ScoreThreshold = _settings.ScoreThreshold,
        ManifestDirectory = _settings.ManifestDirectory,
        ExecutionProvider = _settings.ExecutionProvider,
        ProviderOptions = _settings.ProviderOptions,
    };

    private ModelResult BenchModel(string model, List<ClipSource> clips, DecodeOnlyResult decodeOnly, CancellationToken ct)
    {
        var layouts = new List<LayoutResult>();
        string name = Path.GetFileName(model);
        ModelManifest? manifest = null;
        SampleFrames? bestSamples = null;
        foreach (var layout in _settings.Layouts)
        {
            var detectors = new List<OnnxObjectDetector>();
            try
            {
                for (int i = 0; i < layout.Workers; i++)
                {
                    detectors.Add(OnnxObjectDetector.Open(model, Options(layout.Threads)));
                }

                manifest = detectors[0].Manifest;
                WarmUp(detectors, clips[0].Info);
                // Session-only is split around the end-to-end run, so a change in the neighbours' load during the
                // run weighs on both numbers alike.
                int firstHalf = (_settings.SessionRuns + 1) / 2;
                var before = SessionOnly(name, layout, detectors, firstHalf, "before", ct);
                var samples = new SampleFrames(clips, detectors[0].Labels);
                var e2e = EndToEnd(name, layout, detectors, clips, decodeOnly, samples, ct);
                var after = SessionOnly(name, layout, detectors, Math.Max(1, _settings.SessionRuns - firstHalf), "after", ct);
                var result = Compose(e2e, before, after, decodeOnly);
                if (bestSamples is null || result.EndToEndFramesPerSecond > layouts.Max(l => l.EndToEndFramesPerSecond))
                {
                    bestSamples = samples;
                }

                layouts.Add(result);
            }
            finally
            {
                foreach (var d in detectors)
                {
                    d.Dispose();
                }
            }
        }

        var best = layouts.MaxBy(l => l.EndToEndFramesPerSecond)!;
        best = best with { SampleFrames = bestSamples!.Write(_settings.OutDirectory, Path.GetFileNameWithoutExtension(model)) };
        layouts[layouts.FindIndex(l => l.Layout == best.Layout)] = best;
        BatchResult? batch = _settings.BatchSize is int n ? BatchProbe.Measure(model, manifest!, Options(best.Threads), n, _settings.SessionRuns, _settings.WarmupRuns, _progress) : null;
        MotionResult? motion = _settings.Motion ? MotionProbe.Measure(model, manifest!, Options(best.Threads), clips, _settings.MaxFrames, _progress, ct) : null;
        return new ModelResult
        {
            Model = name,
            Family = manifest!.Family,
            InputWidth = manifest.Input.Width,
            InputHeight = manifest.Input.Height,
            ChosenLayout = best.Layout,
            Layouts = layouts,
            Main = best,
            Batch = batch,
            Motion = motion,
        };
    }

    private void WarmUp(List<OnnxObjectDetector> detectors, VideoInfo info)
    {
        // A pre-filled input: a synthetic frame of the first clip's size, so DETR's target sizes are realistic.
        var pixels = new byte[info.Width * info.Height * 3];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)((i * 7) + (i / (info.Width * 3)));
        }

        foreach (var d in detectors)
        {
            d.Preprocess(new BgrImage(pixels, info.Width, info.Height));
            for (int r = 0; r < _settings.WarmupRuns; r++)
            {
                d.Infer();
            }
        }
    }

    /// <summary>Just Infer() on the pre-filled input, K threads at once, a fixed number of runs each.</summary>
    private SessionTiming SessionOnly(string model, BenchLayout layout, List<OnnxObjectDetector> detectors, int runs, string when, CancellationToken ct)
    {
        _progress?.Start($"{model} {layout} session-only ({when})", (long)runs * detectors.Count);
        using var go = new Barrier(detectors.Count + 1);
        var threads = new List<Thread>();
        var errors = new Exception?[detectors.Count];
        for (int w = 0; w < detectors.Count; w++)
        {
            int worker = w;
            var t = new Thread(() =>
            {
                go.SignalAndWait(ct);
                try
                {
                    for (int r = 0; r < runs; r++)
                    {
                        detectors[worker].Infer();
                        _progress?.Advance();
                    }
                }
                catch (OnnxRuntimeException e)
                {
                    errors[worker] = e;
                }
            })
            { IsBackground = true, Name = $"bench-session-{worker}" };
            t.Start();
            threads.Add(t);
        }

        go.SignalAndWait(ct);
        var cpu = CpuClock.Now();
        long start = Stopwatch.GetTimestamp();
        threads.ForEach(t => t.Join());
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var used = CpuClock.Now() - cpu;
        ThrowFirst(errors);
        return new SessionTiming((long)runs * detectors.Count, seconds, used.SelfMs);
    }

    private static LayoutResult Compose(LayoutResult e2e, SessionTiming before, SessionTiming after, DecodeOnlyResult decodeOnly)
    {
        long runs = before.Runs + after.Runs;
        double sessionFps = Math.Round(runs / (before.Seconds + after.Seconds), 2);
        double fps = e2e.EndToEndFramesPerSecond;
        double ratio = Math.Round(fps / sessionFps, 3);
        bool decodeLimited = decodeOnly.FramesPerSecond < sessionFps;
        double ceiling = Math.Round(1 / ((1 / decodeOnly.FramesPerSecond) + (1 / sessionFps)), 2);
        double sessionCpu = CpuClock.Available ? Math.Round((before.CpuMs + after.CpuMs) / runs, 3) : 0;
        double cpuRatio = e2e.EndToEndCpuMsPerFrame > 0 ? Math.Round(sessionCpu / e2e.EndToEndCpuMsPerFrame, 3) : 0;
        return e2e with
        {
            SessionOnlyRuns = runs,
            SessionOnlyFramesPerSecond = sessionFps,
            SessionOnlyBeforeFramesPerSecond = Math.Round(before.Runs / before.Seconds, 2),
            SessionOnlyAfterFramesPerSecond = Math.Round(after.Runs / after.Seconds, 2),
            SessionOnlyCpuMsPerFrame = sessionCpu,
            CpuRatio = cpuRatio,
            Ratio = ratio,
            DecodeLimited = decodeLimited,
            SharedCpuCeilingFramesPerSecond = ceiling,
            Verdict = Verdict(fps, sessionFps, ratio, decodeOnly, decodeLimited, ceiling) + (ratio > 1
                ? string.Create(CultureInfo.InvariantCulture, $". A wall-clock ratio above 1 means the neighbours' load changed the CPU share between the phases (the end-to-end run has more runnable threads, so it gets a larger share of a busy box); the CPU ratio {cpuRatio:0.00} (CPU ms per session-only run over CPU ms per end-to-end frame incl. ffmpeg) does not depend on that share")
                : string.Empty),
        };
    }

    private DecodeOnlyResult DecodeOnly(List<ClipSource> clips, CancellationToken ct)
    {
        _progress?.Start("decode-only (all clips in parallel)", 0);
        var counts = new long[clips.Count];
        var errors = new Exception?[clips.Count];
        var cpu = CpuClock.Now();
        long start = Stopwatch.GetTimestamp();
        var threads = clips.Select((clip, i) =>
        {
            var t = new Thread(() =>
            {
                try
                {
                    using var pool = new FramePool(clip.Name, clip.Info.Width, clip.Info.Height, 2);
                    using var decoder = FfmpegDecoder.Start(clip.Input, clip.Info, clip.Info.Width, clip.Info.Height, null);
                    while (_settings.MaxFrames is not int max || counts[i] < max)
                    {
                        using var frame = pool.Rent(ct);
                        if (!decoder.ReadFrame(frame))
                        {
                            break;
                        }

                        counts[i]++;
                        _progress?.Advance();
                    }

                    if (counts[i] == 0)
                    {
                        throw new CaptureException($"{clip.Input.Redacted}: no frame could be decoded ({decoder.LastError})");
                    }
                }
                catch (Exception e) when (e is CaptureException or IOException or OperationCanceledException or InvalidOperationException)
                {
                    errors[i] = e;
                }
            })
            { IsBackground = true, Name = $"bench-decode-{i}" };
            t.Start();
            return t;
        }).ToList();
        threads.ForEach(t => t.Join());
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var used = CpuClock.Now() - cpu;
        ThrowFirst(errors);
        var perClip = clips.Select((c, i) => new ClipFrames(c.Name, c.Info.Width, c.Info.Height, counts[i])).ToList();
        long frames = counts.Sum();
        double cpuPerFrame = CpuClock.Available ? Math.Round((used.SelfMs + used.ChildrenMs) / frames, 3) : 0;
        return new DecodeOnlyResult(perClip, frames, Math.Round(seconds, 3), Math.Round(frames / seconds, 2), cpuPerFrame);
    }

    private LayoutResult EndToEnd(
        string model, BenchLayout layout, List<OnnxObjectDetector> detectors, List<ClipSource> clips,
        DecodeOnlyResult decodeOnly, SampleFrames samples, CancellationToken ct)
    {
        _progress?.Start($"{model} {layout} end-to-end", decodeOnly.Frames);
        int k = detectors.Count;
        int expected = (int)Math.Min(int.MaxValue / 2, (decodeOnly.Frames / k) + 64);
        var pools = clips.Select(c => new FramePool(c.Name, c.Info.Width, c.Info.Height, FramesPerClipPool)).ToList();

        // Bounded by the pools: at most FramesPerClipPool frames per clip exist, so TryWrite never fails and
        // a reader blocks in Rent when the workers fall behind.
        var queue = Channel.CreateBounded<QueuedFrame>(new BoundedChannelOptions(clips.Count * FramesPerClipPool)
        {
            SingleReader = k == 1,
            SingleWriter = clips.Count == 1,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var decoded = new long[clips.Count];
        var readErrors = new Exception?[clips.Count];
        var workerErrors = new Exception?[k];
        var read = clips.Select(_ => new LatencySamples(expected)).ToList();
        var wait = Enumerable.Range(0, k).Select(_ => new LatencySamples(expected)).ToList();
        var pre = Enumerable.Range(0, k).Select(_ => new LatencySamples(expected)).ToList();
        var infer = Enumerable.Range(0, k).Select(_ => new LatencySamples(expected)).ToList();
        var post = Enumerable.Range(0, k).Select(_ => new LatencySamples(expected)).ToList();
        var total = Enumerable.Range(0, k).Select(_ => new LatencySamples(expected)).ToList();
        int classes = detectors[0].Labels.Count;
        var perClass = Enumerable.Range(0, k).Select(_ => new long[classes]).ToList();
        var processed = Enumerable.Range(0, k).Select(_ => new long[clips.Count]).ToList();
        int readersLeft = clips.Count;

        var cpu = CpuClock.Now();
        long start = Stopwatch.GetTimestamp();
        var readers = clips.Select((clip, i) =>
        {
            var t = new Thread(() =>
            {
                try
                {
                    using var decoder = FfmpegDecoder.Start(clip.Input, clip.Info, clip.Info.Width, clip.Info.Height, null);
                    while (_settings.MaxFrames is not int max || decoded[i] < max)
                    {
                        var frame = pools[i].Rent(ct);
                        long t0 = Stopwatch.GetTimestamp();
                        if (!decoder.ReadFrame(frame))
                        {
                            frame.Dispose();
                            break;
                        }

                        read[i].Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                        frame.Sequence = decoded[i]++;
                        if (!queue.Writer.TryWrite(new QueuedFrame(frame, i)))
                        {
                            frame.Dispose();
                            throw new InvalidOperationException("bench queue full although every frame comes from a bounded pool");
                        }
                    }
                }
                catch (Exception e) when (e is CaptureException or IOException or OperationCanceledException or InvalidOperationException)
                {
                    readErrors[i] = e;
                }
                finally
                {
                    if (Interlocked.Decrement(ref readersLeft) == 0)
                    {
                        queue.Writer.TryComplete();
                    }
                }
            })
            { IsBackground = true, Name = $"bench-read-{i}" };
            t.Start();
            return t;
        }).ToList();

        var workers = detectors.Select((detector, w) =>
        {
            var t = new Thread(() =>
            {
                var results = new Detection.Detection[MaxDetections];
                try
                {
                    while (true)
                    {
                        long t0 = Stopwatch.GetTimestamp();
                        if (!Dequeue(queue.Reader, out var item))
                        {
                            break;
                        }

                        long t1 = Stopwatch.GetTimestamp();
                        var frame = item.Frame;
                        detector.Preprocess(frame.Image);
                        long t2 = Stopwatch.GetTimestamp();
                        detector.Infer();
                        long t3 = Stopwatch.GetTimestamp();
                        int n = detector.Decode(results);
                        long t4 = Stopwatch.GetTimestamp();
                        wait[w].Add(Milliseconds(t0, t1));
                        pre[w].Add(Milliseconds(t1, t2));
                        infer[w].Add(Milliseconds(t2, t3));
                        post[w].Add(Milliseconds(t3, t4));
                        total[w].Add(Milliseconds(t1, t4));
                        for (int d = 0; d < n; d++)
                        {
                            perClass[w][results[d].ClassId]++;
                        }

                        processed[w][item.Clip]++;
                        samples.Offer(item.Clip, frame, results.AsSpan(0, n));
                        frame.Dispose();
                        _progress?.Advance();
                    }
                }
                catch (OnnxRuntimeException e)
                {
                    workerErrors[w] = e;
                }
                finally
                {
                    // A failed worker must not leave readers blocked on a full pool.
                    while (queue.Reader.TryRead(out var left))
                    {
                        left.Frame.Dispose();
                    }
                }
            })
            { IsBackground = true, Name = $"bench-infer-{w}" };
            t.Start();
            return t;
        }).ToList();

        readers.ForEach(t => t.Join());
        workers.ForEach(t => t.Join());
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var used = CpuClock.Now() - cpu;
        pools.ForEach(p => p.Dispose());
        ThrowFirst(readErrors);
        ThrowFirst(workerErrors);

        long frames = processed.Sum(p => p.Sum());
        long decodedFrames = decoded.Sum();
        double fps = Math.Round(frames / seconds, 2);
        var labels = detectors[0].Labels;
        var classCounts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        for (int c = 0; c < classes; c++)
        {
            long count = perClass.Sum(p => p[c]);
            if (count > 0)
            {
                classCounts[labels[c]] = count;
            }
        }

        return new LayoutResult
        {
            Layout = layout.ToString(),
            Workers = layout.Workers,
            Threads = layout.Threads,
            SessionOnlyRuns = 0,
            SessionOnlyFramesPerSecond = 0,
            Frames = frames,
            FramesDecoded = decodedFrames,
            FramesPerClip = clips.Select((c, i) => new ClipFrames(c.Name, c.Info.Width, c.Info.Height, processed.Sum(p => p[i]))).ToList(),
            Seconds = Math.Round(seconds, 3),
            EndToEndFramesPerSecond = fps,
            EndToEndCpuMsPerFrame = CpuClock.Available && frames > 0 ? Math.Round((used.SelfMs + used.ChildrenMs) / frames, 3) : 0,
            DecoderCpuMsPerFrame = CpuClock.Available && frames > 0 ? Math.Round(used.ChildrenMs / frames, 3) : 0,
            Ratio = 0,
            DecodeLimited = false,
            SharedCpuCeilingFramesPerSecond = 0,
            Verdict = string.Empty,
            Stages =
            [
                LatencySamples.Summarise("decode read (reader blocked in ffmpeg pipe)", read),
                LatencySamples.Summarise("waiting for decode (worker idle)", wait),
                LatencySamples.Summarise("preprocess", pre),
                LatencySamples.Summarise("inference", infer),
                LatencySamples.Summarise("post-process", post),
                LatencySamples.Summarise("detector total", total),
            ],
            DetectionsPerClass = classCounts,
        };
    }

    private static string Verdict(double fps, double sessionFps, double ratio, DecodeOnlyResult decodeOnly, bool decodeLimited, double ceiling)
    {
        var c = CultureInfo.InvariantCulture;
        string shared = string.Create(c, $"decoding and inference share the same {Environment.ProcessorCount} cores, so their costs add up: the shared-CPU ceiling 1/(1/{decodeOnly.FramesPerSecond:0.0} + 1/{sessionFps:0.0}) = {ceiling:0.0} frames/s, end-to-end reaches {fps / ceiling:0.00} of it");
        if (decodeLimited)
        {
            return string.Create(c, $"decoding is the limit: the decoders alone deliver {decodeOnly.FramesPerSecond:0.0} frames/s for all clips together, below the session-only {sessionFps:0.0} frames/s; end-to-end {fps:0.0} frames/s = {ratio:0.00} x session-only; {shared}");
        }

        return string.Create(c, $"end-to-end {fps:0.0} frames/s = {ratio:0.00} x session-only {sessionFps:0.0} frames/s; decode-only (measured alone) {decodeOnly.FramesPerSecond:0.0} frames/s is above session-only, so decoding alone is not the limit, but {shared}");
    }

    private static bool Dequeue(ChannelReader<QueuedFrame> reader, out QueuedFrame item)
    {
        while (true)
        {
            if (reader.TryRead(out item))
            {
                return true;
            }

            // Blocking on a dedicated worker thread is deliberate: it is what the "waiting for decode" stage measures.
            var ready = reader.WaitToReadAsync();
            bool more = ready.IsCompletedSuccessfully ? ready.Result : ready.AsTask().GetAwaiter().GetResult();
            if (!more)
            {
                return false;
            }
        }
    }

    private static double Milliseconds(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    private static void ThrowFirst(Exception?[] errors)
    {
        if (errors.FirstOrDefault(e => e is not null) is { } first)
        {
            throw first is OperationCanceledException ? first : new InvalidOperationException(first.Message, first);
        }
    }

    private static double[] LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return [.. parts.Take(3).Select(p => double.Parse(p, CultureInfo.InvariantCulture))];
        }
        catch (IOException)
        {
            return [];
        }
    }

    private readonly record struct QueuedFrame(Frame Frame, int Clip);

    private readonly record struct SessionTiming(long Runs, double Seconds, double CpuMs);
}

/// <summary>One clip of the set, probed once.</summary>
internal sealed record ClipSource(string Path, CameraInput Input, VideoInfo Info)
{
    public string Name => System.IO.Path.GetFileName(Path);
}
