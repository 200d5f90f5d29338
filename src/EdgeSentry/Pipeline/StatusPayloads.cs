using System.Text.Json.Serialization;

namespace EdgeSentry.Pipeline;

/// <summary>Retained on edgesentry/v1/cameras/{cameraId}/status. The reason is redacted.</summary>
public sealed record CameraStatusPayload(string CameraId, string State, string? Reason, string At)
{
    public string Schema { get; init; } = "edgesentry/v1/camera-status";
    public int Version { get; init; } = 1;
}

/// <summary>Periodic on edgesentry/v1/edges/{edgeId}/stats.</summary>
public sealed record EdgeStatsPayload(string EdgeId, string At, long FramesProcessed, long AlertsStored, long OutboxDepth, ProcessStatsPayload Process, List<CameraStatsPayload> Cameras)
{
    public string Schema { get; init; } = "edgesentry/v1/edge-stats";
    public int Version { get; init; } = 1;
}

public sealed record CameraStatsPayload(string CameraId, string State, long FramesDecoded, long FramesDropped, long FramesProcessed, long Reconnects, long Stalls, double FrameAgeP50Ms, double FrameAgeP99Ms, double InferenceP50Ms);

/// <summary>The service's own footprint, for soak checks and capacity planning.</summary>
public sealed record ProcessStatsPayload(long RssBytes, long ManagedHeapBytes, int Threads, double CpuSeconds)
{
    public static ProcessStatsPayload Sample()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return new ProcessStatsPayload(self.WorkingSet64, GC.GetTotalMemory(false), self.Threads.Count, Math.Round(self.TotalProcessorTime.TotalSeconds, 2));
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CameraStatusPayload))]
[JsonSerializable(typeof(EdgeStatsPayload))]
internal sealed partial class StatusJson : JsonSerializerContext;
