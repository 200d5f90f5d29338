using System.Text.Json.Serialization;

namespace EdgeSentry.Benchmarking;

/// <summary>Everything one bench run measured; written as report.json and rendered as report.md.</summary>
public sealed record BenchReport
{
    public required DateTimeOffset StartedAt { get; init; }

    public required double Seconds { get; init; }

    public required int ProcessorCount { get; init; }

    /// <summary>/proc/loadavg (1, 5, 15 min) when the run started and when it ended: the box is shared.</summary>
    public required double[] LoadAverageAtStart { get; init; }

    public required double[] LoadAverageAtEnd { get; init; }

    public required string OnnxRuntimeVersion { get; init; }

    public int? MaxFrames { get; init; }

    public required DecodeOnlyResult DecodeOnly { get; init; }

    public required IReadOnlyList<ModelResult> Models { get; init; }

    public required IReadOnlyList<string> Attribution { get; init; }
}

public sealed record ClipFrames(string Clip, int Width, int Height, long Frames);

/// <summary>All clips decoded in parallel to nothing (no detection): the decoders' combined ceiling.</summary>
/// <param name="CpuMsPerFrame">CPU of the decoders and the readers per frame (0 where /proc is missing).</param>
public sealed record DecodeOnlyResult(IReadOnlyList<ClipFrames> Clips, long Frames, double Seconds, double FramesPerSecond, double CpuMsPerFrame);

public sealed record StageLatency(string Stage, double P50Ms, double P95Ms, double P99Ms, double MeanMs, long Samples);

/// <summary>One layout's numbers: session-only and end-to-end measured back to back with the same sessions.</summary>
public sealed record LayoutResult
{
    public required string Layout { get; init; }

    public required int Workers { get; init; }

    public required int Threads { get; init; }

    public required long SessionOnlyRuns { get; init; }

    /// <summary>Over both halves: the runs before and the runs after the end-to-end run.</summary>
    public required double SessionOnlyFramesPerSecond { get; init; }

    public double SessionOnlyBeforeFramesPerSecond { get; init; }

    public double SessionOnlyAfterFramesPerSecond { get; init; }

    /// <summary>Process CPU per session-only run (steadier than wall time on a shared box).</summary>
    public double SessionOnlyCpuMsPerFrame { get; init; }

    /// <summary>CPU per end-to-end frame: this process plus the ffmpeg decoders.</summary>
    public double EndToEndCpuMsPerFrame { get; init; }

    /// <summary>The ffmpeg decoders' share of <see cref="EndToEndCpuMsPerFrame"/>.</summary>
    public double DecoderCpuMsPerFrame { get; init; }

    /// <summary>Session-only CPU per frame over end-to-end CPU per frame: the ratio with the neighbours' load taken out.</summary>
    public double CpuRatio { get; init; }

    public required long Frames { get; init; }

    public required IReadOnlyList<ClipFrames> FramesPerClip { get; init; }

    /// <summary>Frames the decoders delivered; equals <see cref="Frames"/> (no frame is dropped).</summary>
    public required long FramesDecoded { get; init; }

    public required double Seconds { get; init; }

    public required double EndToEndFramesPerSecond { get; init; }

    /// <summary>End-to-end over session-only frames/s.</summary>
    public required double Ratio { get; init; }

    /// <summary>The decoders' combined decode-only frames/s is below the session-only frames/s.</summary>
    public required bool DecodeLimited { get; init; }

    /// <summary>
    /// 1 / (1 / decode-only fps + 1 / session-only fps): the end-to-end rate if decoding and inference each
    /// need the whole CPU for their share of every frame, as they do when both are CPU-bound on the same cores.
    /// </summary>
    public required double SharedCpuCeilingFramesPerSecond { get; init; }

    public required string Verdict { get; init; }

    public required IReadOnlyList<StageLatency> Stages { get; init; }

    public required IReadOnlyDictionary<string, long> DetectionsPerClass { get; init; }

    public IReadOnlyList<string> SampleFrames { get; init; } = [];
}

/// <summary>N frames in one Run against N single runs on one session of the main layout's thread count.</summary>
public sealed record BatchResult
{
    public required int BatchSize { get; init; }

    public required int Threads { get; init; }

    public double SingleRunsPerSecond { get; init; }

    public double BatchRunsPerSecond { get; init; }

    /// <summary>Frames/s with batched runs (batch runs/s x N).</summary>
    public double BatchFramesPerSecond { get; init; }

    /// <summary>Process CPU per frame with single runs (one thread: about the run's wall time on an idle box).</summary>
    public double SingleCpuMsPerFrame { get; init; }

    public double BatchCpuMsPerFrame { get; init; }

    /// <summary>Single-run CPU ms per frame over batched CPU ms per frame (wall-clock frames/s where /proc is missing).</summary>
    public double Speedup { get; init; }

    /// <summary>False when the model cannot run batches (the verdict says why).</summary>
    public bool Measured => SingleRunsPerSecond > 0;

    public required string Verdict { get; init; }
}

public sealed record ModelResult
{
    public required string Model { get; init; }

    public required string Family { get; init; }

    public required int InputWidth { get; init; }

    public required int InputHeight { get; init; }

    public required string ChosenLayout { get; init; }

    /// <summary>Every layout tried; the chosen one is also <see cref="Main"/>.</summary>
    public required IReadOnlyList<LayoutResult> Layouts { get; init; }

    public required LayoutResult Main { get; init; }

    public BatchResult? Batch { get; init; }

    /// <summary>The motion policy replayed on every clip (null with --no-motion).</summary>
    public MotionResult? Motion { get; init; }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BenchReport))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
