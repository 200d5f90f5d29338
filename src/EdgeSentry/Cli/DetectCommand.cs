using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeSentry.Benchmarking;
using EdgeSentry.Capture;
using EdgeSentry.Detection;
using EdgeSentry.Pictures;

namespace EdgeSentry.Cli;

/// <summary>
/// <c>edgesentry detect --model M --input IMAGE|VIDEO|RTSP-URL [--json] [--out annotated.jpg|.mp4] [--workers K]
/// [--threads T] [--provider cpu|cuda|tensorrt]</c>: every frame through the detector (K sessions x T threads,
/// by default bench's layout), one JSON object per frame in frame order with boxes in source-image pixels.
/// </summary>
internal static class DetectCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "The .onnx model (its manifest in models/ says how to run it).", Required = true };
        var input = new Option<string>("--input", "-i") { Description = "An image, a video file or an rtsp:// URL.", Required = true };
        var json = new Option<bool>("--json") { Description = "JSON lines: {\"frame\",\"ptsSeconds\",\"detections\":[{\"label\",\"classId\",\"score\",\"box\":[x1,y1,x2,y2]}]}." };
        var output = new Option<string?>("--out", "-o") { Description = "Write an annotated .jpg (last frame) or .mp4 (every frame)." };
        var threshold = new Option<float?>("--score-threshold") { Description = "Minimum score (default: 0.3)." };
        var maxFrames = new Option<int?>("--max-frames") { Description = "Stop after this many frames (streams run until stopped otherwise)." };
        var workers = new Option<int?>("--workers") { Description = $"K sessions side by side, frames still in order (default {BenchLayout.Default.Workers}; 1 for a still image)." };
        var threads = new Option<int?>("--threads") { Description = $"T intra-op threads per session (default {BenchLayout.Default.Threads})." };
        var provider = new Option<string>("--provider", "--execution-provider") { Description = "Execution provider: cpu (default), cuda or tensorrt (the last two need the GPU build flavour).", DefaultValueFactory = _ => ExecutionProviders.Cpu };
        var detect = new Command("detect", "Run a detector over an image, a video or a stream.") { model, input, json, output, threshold, maxFrames, workers, threads, provider };
        detect.SetAction(async (parse, ct) =>
        {
            try
            {
                string inputPath = parse.GetValue(input)!;
                var layout = Layout(parse.GetValue(workers), parse.GetValue(threads), inputPath);
                return await RunAsync(
                    parse.GetValue(model)!, inputPath, parse.GetValue(json), parse.GetValue(output),
                    new DetectorOptions { ScoreThreshold = parse.GetValue(threshold) ?? 0.3f, IntraOpThreads = layout.Threads, ExecutionProvider = parse.GetValue(provider)! },
                    layout.Workers, parse.GetValue(maxFrames), ct);
            }
            catch (Exception e) when (e is CaptureException or IOException or InvalidDataException or ArgumentException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException or DllNotFoundException or InvalidOperationException)
            {
                Console.Error.WriteLine("edgesentry detect: " + UrlRedactor.Redact(e.Message));
                return 1;
            }
        });
        return detect;
    }

    /// <summary>bench's layout unless given; a still image has one frame, so one session.</summary>
    private static BenchLayout Layout(int? workers, int? threads, string input)
    {
        string[] stills = [".png", ".jpg", ".jpeg", ".bmp", ".webp"];
        bool still = stills.Contains(Path.GetExtension(input).ToLowerInvariant());
        return BenchLayout.Parse($"{workers ?? (still ? 1 : BenchLayout.Default.Workers)}x{threads ?? BenchLayout.Default.Threads}");
    }

    private static async Task<int> RunAsync(string modelPath, string inputPath, bool asJson, string? outPath, DetectorOptions options, int workers, int? maxFrames, CancellationToken ct)
    {
        var cameraInput = new CameraInput { Location = inputPath };
        if (!cameraInput.IsLive && !File.Exists(inputPath))
        {
            throw new FileNotFoundException($"input {inputPath} does not exist", inputPath);
        }

        var detectors = new List<OnnxObjectDetector>();
        try
        {
            // The first session is opened alone: a bad model stops here with one message, before ffmpeg starts.
            detectors.Add(OnnxObjectDetector.Open(modelPath, options));
            detectors.AddRange(await Task.WhenAll(Enumerable.Range(1, workers - 1).Select(_ => Task.Run(() => OnnxObjectDetector.Open(modelPath, options), ct))));
            return await RunAsync(detectors, modelPath, cameraInput, asJson, outPath, maxFrames, ct);
        }
        finally
        {
            detectors.ForEach(d => d.Dispose());
        }
    }

    private static async Task<int> RunAsync(List<OnnxObjectDetector> detectors, string modelPath, CameraInput cameraInput, bool asJson, string? outPath, int? maxFrames, CancellationToken ct)
    {
        string inputPath = cameraInput.Location;
        var info = await VideoInfo.ProbeAsync(cameraInput, TimeSpan.FromSeconds(15), ct);

        // Two frames per worker: one being detected while the reader fills the next, so no worker waits on ffmpeg.
        using var pool = new FramePool("detect", info.Width, info.Height, 2 * detectors.Count);
        using var decoder = FfmpegDecoder.Start(cameraInput, info, info.Width, info.Height, null);
        if (outPath is not null && !PictureSupport.IsAvailable)
        {
            throw new InvalidOperationException($"--out needs OpenCV's native library, which does not load here ({PictureSupport.UnavailableReason}). {PictureSupport.Remedy}");
        }

        using var encoder = outPath is not null && outPath.EndsWith(".mp4", StringComparison.OrdinalIgnoreCase) ? AnnotatedVideoWriter.Open(outPath, info.FramesPerSecond, info.Width, info.Height) : null;
        if (encoder is not null && encoder.Unavailable.Count > 0)
        {
            Console.Error.WriteLine($"edgesentry detect: {string.Join(", ", encoder.Unavailable)} not available in this OpenCV build; writing {encoder.Codec}");
        }

        using var renderer = outPath is not null ? new SnapshotRenderer(quality: 90) : null;

        // Stopping kills ffmpeg: the reader sees the end, frames in flight are still written, and the summary follows.
        using var registration = ct.Register(decoder.Kill);
        var labels = detectors[0].Labels;
        var stdout = Console.OpenStandardOutput();
        var line = new ArrayBufferWriterStream();
        long objects = 0;
        byte[]? lastPicture = null;
        var boxes = new OverlayBox[512];

        void Emit(DetectedFrame detected)
        {
            var frame = detected.Frame;
            var results = detected.Detections;
            int n = results.Length;
            long index = detected.Index;
            objects += n;
            double pts = index / info.FramesPerSecond;
            if (asJson)
            {
                line.Reset();
                DetectionJson.WriteFrame(line.Writer, index, pts, results, labels);
                stdout.Write(line.Written);
            }
            else
            {
                var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"frame {index} ({pts:0.000} s): {n} detection(s)");
                for (int i = 0; i < n; i++)
                {
                    var d = results[i];
                    text.Append(CultureInfo.InvariantCulture, $"\n  {labels[d.ClassId],-14} {d.Score:0.000}  [{d.Box.X1:0.0}, {d.Box.Y1:0.0}, {d.Box.X2:0.0}, {d.Box.Y2:0.0}]");
                }

                Console.Out.WriteLine(text.ToString());
            }

            if (renderer is not null)
            {
                for (int i = 0; i < n; i++)
                {
                    var d = results[i];
                    boxes[i] = new OverlayBox(d.Box, d.ClassId, string.Create(CultureInfo.InvariantCulture, $"{labels[d.ClassId]} {d.Score:0.00}"));
                }

                var annotated = renderer.Annotate(frame.Image, new SceneOverlay { Boxes = boxes[..n] });
                if (encoder is not null)
                {
                    encoder.Write(annotated);
                }
                else if (outPath!.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
                {
                    lastPicture = annotated.ImEncode(".png");
                }
                else
                {
                    lastPicture = JpegEncoder.Encode(annotated, 90);
                }
            }
        }

        var runner = new OrderedDetectionRunner(detectors, pool, boxes.Length);
        long frames = runner.Run(decoder.ReadFrame, maxFrames, Emit, CancellationToken.None);
        stdout.Flush();
        if (frames == 0)
        {
            throw new CaptureException($"{cameraInput.Redacted}: no frame could be decoded ({decoder.LastError})");
        }

        if (lastPicture is not null && outPath is not null)
        {
            await File.WriteAllBytesAsync(outPath, lastPicture, ct);
        }

        encoder?.Finish();
        Console.Error.WriteLine($"{frames} frame(s), {objects} detection(s), model {Path.GetFileName(modelPath)}; detections by {Path.GetFileName(modelPath)} on {Path.GetFileName(UrlRedactor.Redact(inputPath))} (see the model's and footage's licences in shared/)");
        return 0;
    }

    /// <summary>A reusable JSON line buffer (one writer over one growing buffer).</summary>
    private sealed class ArrayBufferWriterStream
    {
        private readonly System.Buffers.ArrayBufferWriter<byte> _buffer = new(4096);

        public ArrayBufferWriterStream() => Writer = new Utf8JsonWriter(_buffer);

        public Utf8JsonWriter Writer { get; }

        public ReadOnlySpan<byte> Written
        {
            get
            {
                System.Buffers.BuffersExtensions.Write(_buffer, "\n"u8);
                return _buffer.WrittenSpan;
            }
        }

        public void Reset()
        {
            _buffer.ResetWrittenCount();
            Writer.Reset(_buffer);
        }
    }
}
