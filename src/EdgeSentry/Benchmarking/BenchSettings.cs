namespace EdgeSentry.Benchmarking;

/// <summary>What one <c>edgesentry bench</c> run measures.</summary>
public sealed record BenchSettings
{
    public required IReadOnlyList<string> Models { get; init; }

    /// <summary>The clip set: all clips are decoded at once, one ffmpeg per clip.</summary>
    public required IReadOnlyList<string> Footage { get; init; }

    public string OutDirectory { get; init; } = "bench-out";

    /// <summary>Layouts to try on every model; the best end-to-end one is the main run. One entry = no trial.</summary>
    public IReadOnlyList<BenchLayout> Layouts { get; init; } = [BenchLayout.Default];

    /// <summary>Stop every clip after this many frames (null = all frames).</summary>
    public int? MaxFrames { get; init; }

    /// <summary>Session-only runs per worker, half before and half after the end-to-end run.</summary>
    public int SessionRuns { get; init; } = 200;

    /// <summary>Untimed runs per session before any timing, so first-run allocation is not measured.</summary>
    public int WarmupRuns { get; init; } = 3;

    /// <summary>Batch size to compare against single runs on models with a dynamic batch dimension (null = skip).</summary>
    public int? BatchSize { get; init; }

    /// <summary>Also replay the motion policy on every clip (motion fraction, detections per camera-second, its cost next to a detection).</summary>
    public bool Motion { get; init; } = true;

    /// <summary>Folder of model manifests; null = models/ next to the program.</summary>
    public string? ManifestDirectory { get; init; }

    public float ScoreThreshold { get; init; } = 0.3f;

    /// <summary>cpu (default), cuda or tensorrt for every session.</summary>
    public string ExecutionProvider { get; init; } = Detection.ExecutionProviders.Cpu;

    public IReadOnlyDictionary<string, string>? ProviderOptions { get; init; }
}
