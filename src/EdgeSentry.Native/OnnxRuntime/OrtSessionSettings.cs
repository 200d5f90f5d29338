namespace EdgeSentry.Native.OnnxRuntime;

/// <summary>How a session is built. The defaults suit a small CPU box: one thread per session, no spinning.</summary>
public sealed record OrtSessionSettings
{
    /// <summary>Threads one Run may use. On a 2-core box, 1 per session and more sessions scales better (STACK.md).</summary>
    public int IntraOpThreads { get; init; } = 1;

    public int InterOpThreads { get; init; } = 1;

    /// <summary>
    /// Off by default: spinning workers burn a core between frames, which on a shared edge box steals
    /// the time that decoding and the other sessions need.
    /// </summary>
    public bool AllowSpinning { get; init; }

    public OrtGraphOptimizationLevel GraphOptimization { get; init; } = OrtGraphOptimizationLevel.All;

    public bool CpuMemoryArena { get; init; } = true;

    /// <summary>
    /// Error by default: NanoDet-m lists its weights as graph inputs and ORT warns once per initializer.
    /// </summary>
    public OrtLoggingLevel LogSeverity { get; init; } = OrtLoggingLevel.Error;

    /// <summary>"CPU" (default) or a provider name ORT knows, with or without the "ExecutionProvider" suffix.</summary>
    public string ExecutionProvider { get; init; } = "CPU";

    public IReadOnlyDictionary<string, string>? ProviderOptions { get; init; }
}
