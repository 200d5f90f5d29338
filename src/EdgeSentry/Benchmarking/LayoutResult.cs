namespace EdgeSentry.Benchmarking;

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
