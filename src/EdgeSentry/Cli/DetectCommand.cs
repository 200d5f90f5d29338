using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeSentry.Capture;
using EdgeSentry.Detection;
using EdgeSentry.Pictures;

namespace EdgeSentry.Cli;

/// <summary>
/// <c>edgesentry detect --model M --input IMAGE|VIDEO|RTSP-URL [--json] [--out annotated.jpg|.mp4]</c>:
/// every frame through the detector, one JSON object per frame with boxes in source-image pixels.
/// </summary>
internal static class DetectCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "The .onnx model (its manifest in models/ says how to run it).", Required = true };
        var input = new Option<string>("--input", "-i") { Description = "An image, a video file or an rtsp:// URL.", Required = true };
        var json = new Option<bool>("--json") { Description = "JSON lines: {\"frame\",\"ptsSeconds\",\"detections\":[{\"label\",\"classId\",\"score\",\"box\":[x1,y1,x2,y2]}]}." };
        var output = new Option<string?>("--out", "-o") { Description = "Write an annotated .jpg/.png (last frame) or .mp4 (every frame)." };
        var threshold = new Option<float?>("--score-threshold") { Description = "Minimum score (default: 0.3)." };
        var maxFrames = new Option<int?>("--max-frames") { Description = "Stop after this many frames (streams run until stopped otherwise)." };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads of the session.", DefaultValueFactory = _ => 1 };
        var provider = new Option<string>("--execution-provider") { Description = "CPU (default), CUDA or TensorRT.", DefaultValueFactory = _ => "CPU" };
        var detect = new Command("detect", "Run a detector over an image, a video or a stream.") { model, input, json, output, threshold, maxFrames, threads, provider };
        detect.SetAction(async (parse, ct) =>
        {
            try
            {
                return await RunAsync(
                    parse.GetValue(model)!, parse.GetValue(input)!, parse.GetValue(json), parse.GetValue(output),
                    new DetectorOptions { ScoreThreshold = parse.GetValue(threshold) ?? 0.3f, IntraOpThreads = parse.GetValue(threads), ExecutionProvider = parse.GetValue(provider)! },
                    parse.GetValue(maxFrames), ct);
            }
            catch (Exception e) when (e is CaptureException or IOException or InvalidDataException or ArgumentException or Native.OnnxRuntime.OrtException or DllNotFoundException or InvalidOperationException)
            {
                Console.Error.WriteLine("edgesentry detect: " + UrlRedactor.Redact(e.Message));
                return 1;
            }
        });
        return detect;
    }

    private static async Task<int> RunAsync(string modelPath, string inputPath, bool asJson, string? outPath, DetectorOptions options, int? maxFrames, CancellationToken ct)
    {
        var cameraInput = new CameraInput { Location = inputPath };
        if (!cameraInput.IsLive && !File.Exists(inputPath))
        {
            throw new FileNotFoundException($"input {inputPath} does not exist", inputPath);
        }

        using var detector = OnnxObjectDetector.Open(modelPath, options);
        var info = await VideoInfo.ProbeAsync(cameraInput, TimeSpan.FromSeconds(15), ct);
        using var pool = new FramePool("detect", info.Width, info.Height, 2);
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
        using var registration = ct.Register(decoder.Kill);
        var results = new Detection.Detection[512];
        var labels = detector.Labels;
        var stdout = Console.OpenStandardOutput();
        var line = new ArrayBufferWriterStream();
        long frames = 0;
        long objects = 0;
        byte[]? lastPicture = null;
        var boxes = new OverlayBox[results.Length];
        while (maxFrames is null || frames < maxFrames)
        {
            if (!pool.TryRent(out var frame))
            {
                throw new InvalidOperationException("frame pool exhausted");
            }

            using (frame)
            {
                if (!decoder.ReadFrame(frame))
                {
                    break;
                }

                int n = detector.Detect(frame.Image, results);
                objects += n;
                double pts = frames / info.FramesPerSecond;
                if (asJson)
                {
                    line.Reset();
                    DetectionJson.WriteFrame(line.Writer, frames, pts, results.AsSpan(0, n), labels);
                    stdout.Write(line.Written);
                }
                else
                {
                    var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"frame {frames} ({pts:0.000} s): {n} detection(s)");
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

                frames++;
            }
        }

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
