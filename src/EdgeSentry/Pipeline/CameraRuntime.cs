using EdgeSentry.Capture;
using EdgeSentry.Configuration;

namespace EdgeSentry.Pipeline;

/// <summary>One running camera: its source, slot, analyzer and lane, and how to stop it.</summary>
public sealed record CameraRuntime(CameraSection Options, CameraSource Source, FreshestFrameSlot Slot, CameraAnalyzer Analyzer, DetectionScheduler.CameraLane Lane, CancellationTokenSource Stop, Task Running);
