using System.Collections.Concurrent;
using EdgeSentry.Capture;
using EdgeSentry.Detection;
using EdgeSentry.Tests.Peers;
using EdgeSentry.Tracking;

namespace EdgeSentry.Tests.Scenarios;

/// <summary>
/// A clip run through the real front half of the pipeline: ffprobe, the ffmpeg decoder into pooled
/// frames, yolox_nano through our ONNX Runtime binding. Every decoded frame is read in order (none is
/// dropped: these are files, not live cameras), its pts is frame number / fps, and every
/// <c>stride</c>-th frame is detected.
/// </summary>
public sealed record FootageDetections(string Clip, int Width, int Height, double FramesPerSecond, int FramesDecoded, IReadOnlyList<string> Labels, IReadOnlyList<RecordedFrame> Frames)
{
    /// <summary>
    /// Low on purpose: ByteTrack's second association needs the detector's low-score boxes, and each
    /// rule has its own minimum score.
    /// </summary>
    public const float DetectorScoreThreshold = 0.1f;

    public const string Model = "yolox_nano.onnx";

    private static readonly ConcurrentDictionary<(string Path, int Stride), Lazy<Task<FootageDetections>>> Cache = new();

    /// <summary>
    /// Detections of every <paramref name="stride"/>-th frame of <paramref name="path"/>, computed once per
    /// test run (the clips cost tens of seconds of CPU each; several test classes replay the same ones).
    /// </summary>
    public static Task<FootageDetections> OfAsync(string path, int stride = 1) =>
        Cache.GetOrAdd((path, stride), key => new Lazy<Task<FootageDetections>>(() => Task.Run(() => DetectAsync(key.Path, key.Stride)))).Value;

    /// <summary>The label's class id in the model, or a failure naming the label.</summary>
    public int ClassOf(string label)
    {
        for (int i = 0; i < Labels.Count; i++)
        {
            if (Labels[i] == label)
            {
                return i;
            }
        }

        throw new ArgumentException($"{Model} has no label '{label}'", nameof(label));
    }

    private static async Task<FootageDetections> DetectAsync(string path, int stride)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        var input = new CameraInput { Location = path };
        var info = await VideoInfo.ProbeAsync(input, TimeSpan.FromSeconds(30), CancellationToken.None);
        using var detector = OnnxObjectDetector.Open(SharedPaths.Model(Model), new DetectorOptions { ScoreThreshold = DetectorScoreThreshold });
        using var pool = new FramePool("footage", info.Width, info.Height, 2);
        using var decoder = FfmpegDecoder.Start(input, info, info.Width, info.Height, null);
        var frames = new List<RecordedFrame>();
        var results = new global::EdgeSentry.Detection.Detection[512];
        int n = 0;
        while (true)
        {
            using var frame = pool.Rent(CancellationToken.None);
            if (!decoder.ReadFrame(frame))
            {
                break;
            }

            if (n % stride == 0)
            {
                int count = detector.Detect(frame.Image, results);
                frames.Add(new RecordedFrame(n / info.FramesPerSecond, results.AsSpan(0, count).ToArray()));
            }

            n++;
        }

        if (n == 0)
        {
            throw new InvalidOperationException($"ffmpeg decoded no frame of {path} (exit {decoder.ExitCode}): {decoder.LastError}");
        }

        return new FootageDetections(Path.GetFileName(path), info.Width, info.Height, info.FramesPerSecond, n, detector.Labels, frames);
    }
}
