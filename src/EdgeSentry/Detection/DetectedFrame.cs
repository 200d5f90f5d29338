using EdgeSentry.Capture;

namespace EdgeSentry.Detection;

/// <summary>
/// One frame on its way through <see cref="OrderedDetectionRunner"/>: the frame (owned by the run until the
/// handler returns) and its detections. Created once per slot of the run and reused, so the per-frame path
/// allocates nothing.
/// </summary>
public sealed class DetectedFrame
{
    private readonly Detection[] _results;

    internal DetectedFrame(int maxDetections) => _results = new Detection[maxDetections];

    /// <summary>0-based position of the frame in the source.</summary>
    public long Index { get; internal set; }

    /// <summary>Valid only while the handler runs: the buffer goes back to its pool right after.</summary>
    public Frame Frame { get; internal set; } = null!;

    public ReadOnlySpan<Detection> Detections => _results.AsSpan(0, Count);

    internal int Count { get; set; }

    internal Span<Detection> Results => _results;
}
