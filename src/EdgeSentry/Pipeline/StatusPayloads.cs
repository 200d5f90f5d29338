using System.Text.Json.Serialization;

namespace EdgeSentry.Pipeline;

/// <summary>Retained on edgesentry/v1/edges/{edgeId}/cameras/{cameraId}/status (contract camera-status.v2). The reason is redacted.</summary>
public sealed record CameraStatusPayload(string CameraId, string State, string? Reason, string At)
{
    /// <summary>The box the camera belongs to: camera ids are unique per box only.</summary>
    public string EdgeId { get; init; } = string.Empty;
    public string Schema { get; init; } = "edgesentry/v1/camera-status";
    public int Version { get; init; } = 2;
}

/// <summary>Periodic on edgesentry/v1/edges/{edgeId}/stats.</summary>
public sealed record EdgeStatsPayload(string EdgeId, string At, long FramesProcessed, long AlertsStored, long OutboxDepth, ProcessStatsPayload Process, List<CameraStatsPayload> Cameras)
{
    /// <summary>Detector runs per second for the whole box since the previous stats message.</summary>
    public double DetectionsPerSecond { get; init; }

    /// <summary>Frames passed over by the cameras' detection policies (apart from frames dropped for lack of time).</summary>
    public long FramesSkipped { get; init; }

    public string Schema { get; init; } = "edgesentry/v1/edge-stats";
    public int Version { get; init; } = 1;
}

public sealed record CameraStatsPayload(string CameraId, string State, long FramesDecoded, long FramesDropped, long FramesProcessed, long Reconnects, long Stalls, double FrameAgeP50Ms, double FrameAgeP99Ms, double InferenceP50Ms)
{
    /// <summary>"every-frame", "motion" or "interval".</summary>
    public string DetectionPolicy { get; init; } = "every-frame";

    /// <summary>Frames passed over by the detection policy (counted apart from <see cref="FramesDropped"/>).</summary>
    public long FramesSkipped { get; init; }

    /// <summary>Share of measured frames with motion (motion policy), 0-1.</summary>
    public double MotionFraction { get; init; }

    /// <summary>Detector runs per second on this camera since the previous stats message.</summary>
    public double DetectionsPerSecond { get; init; }
}

/// <summary>The service's own footprint, for soak checks and capacity planning.</summary>
/// <remarks>
/// ManagedHeapBytes is the live heap measured at the last garbage collection (between collections the heap
/// only grows by what was allocated since, which says nothing about leaks); Gen0Collections tells how many
/// collections that figure rests on.
/// </remarks>
public sealed record ProcessStatsPayload(long RssBytes, long ManagedHeapBytes, long AllocatedBytes, long GcCommittedBytes, int Gen0Collections, int Gen2Collections, int Threads, double CpuSeconds)
{
    public static ProcessStatsPayload Sample(bool measureLiveHeap = false)
    {
        if (measureLiveHeap)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        using var self = System.Diagnostics.Process.GetCurrentProcess();
        var gc = GC.GetGCMemoryInfo();
        return new ProcessStatsPayload(
            self.WorkingSet64, gc.HeapSizeBytes - gc.FragmentedBytes, GC.GetTotalAllocatedBytes(), gc.TotalCommittedBytes,
            GC.CollectionCount(0), GC.CollectionCount(2), self.Threads.Count, Math.Round(self.TotalProcessorTime.TotalSeconds, 2));
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CameraStatusPayload))]
[JsonSerializable(typeof(EdgeStatsPayload))]
internal sealed partial class StatusJson : JsonSerializerContext;
