using EdgeSentry.Capture;
using EdgeSentry.Rules;

namespace EdgeSentry.Configuration;

public sealed class DetectorSection
{
    /// <summary>Path of the .onnx file; its manifest in models/ says how to feed and decode it.</summary>
    public string Model { get; set; } = "${shared}/models/yolox_nano.onnx";
    /// <summary>Inference workers (one session each).</summary>
    public int Workers { get; set; } = 1;
    /// <summary>Intra-op threads per session.</summary>
    public int IntraOpThreads { get; set; } = 1;
    /// <summary>Overrides the manifest's score threshold.</summary>
    public float? ScoreThreshold { get; set; }
    /// <summary>cpu (default), cuda or tensorrt; the last two need the GPU build flavour and a GPU box (README).</summary>
    public string ExecutionProvider { get; set; } = "cpu";
    /// <summary>The provider's own options by ONNX Runtime's keys (e.g. "device_id": "0"); none for cpu.</summary>
    public Dictionary<string, string>? ProviderOptions { get; set; }
    /// <summary>A detector call running longer than this is abandoned and its session recreated (1-600 s).</summary>
    public double WatchdogSeconds { get; set; } = 30;
}
