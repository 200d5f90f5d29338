using Microsoft.ML.OnnxRuntime;

namespace EdgeSentry.Detection;

/// <summary>Settings for one detector instance (one ORT session).</summary>
public sealed record DetectorOptions
{
    /// <summary>Minimum score of a reported detection (the references use 0.3).</summary>
    public float ScoreThreshold { get; init; } = 0.3f;

    /// <summary>Per-class minimum scores by label (e.g. "person": 0.5); other classes use <see cref="ScoreThreshold"/>.</summary>
    public IReadOnlyDictionary<string, float>? ClassScoreThresholds { get; init; }

    /// <summary>Drop boxes whose shorter side (source pixels, after clipping) is below this.</summary>
    public float MinBoxSide { get; init; }

    /// <summary>Drop boxes whose longer side (source pixels, after clipping) is above this.</summary>
    public float MaxBoxSide { get; init; } = float.PositiveInfinity;

    /// <summary>NMS IoU for families that need NMS; null takes the manifest's value.</summary>
    public float? NmsIouThreshold { get; init; }

    /// <summary>NMS across classes (one box per object) instead of per class, for families that need NMS.</summary>
    public bool ClassAgnosticNms { get; init; }

    /// <summary>
    /// DETR family: drop a detection when a better-scoring one of another class covers the same box
    /// (IoU above the manifest's dedupeIou). Off by default: the golden references keep both labels.
    /// </summary>
    public bool DeduplicateLabels { get; init; }

    public int IntraOpThreads { get; init; } = 1;

    public int InterOpThreads { get; init; } = 1;

    public GraphOptimizationLevel GraphOptimization { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    public bool CpuMemoryArena { get; init; } = true;

    /// <summary>cpu (default), cuda or tensorrt: see <see cref="ExecutionProviders"/>.</summary>
    public string ExecutionProvider { get; init; } = ExecutionProviders.Cpu;

    /// <summary>The provider's own options by ORT's keys (e.g. device_id, trt_fp16_enable); none for cpu.</summary>
    public IReadOnlyDictionary<string, string>? ProviderOptions { get; init; }

    /// <summary>Folder holding the model manifests; null = models/ next to the program.</summary>
    public string? ManifestDirectory { get; init; }

    /// <summary>Check the model file's sha256 against its manifest before loading it.</summary>
    public bool VerifyChecksum { get; init; } = true;

    /// <summary>Raw candidates kept per frame before NMS.</summary>
    public int MaxCandidates { get; init; } = 8192;

    /// <summary>Use the SIMD preprocessing path when the CPU has it (the scalar reference otherwise).</summary>
    public bool VectorisedPreprocessing { get; init; } = true;
}
