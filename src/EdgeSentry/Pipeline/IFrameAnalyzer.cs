using EdgeSentry.Capture;

namespace EdgeSentry.Pipeline;

/// <summary>
/// What happens to a camera's frame after detection (tracking, rules, incidents). The scheduler calls
/// it for one camera at a time, in frame order, with the frame still owned by the calling worker: an
/// analyzer may read the pixels (snapshots) but must not keep the frame.
/// </summary>
public interface IFrameAnalyzer
{
    ValueTask AnalyzeAsync(Frame frame, ReadOnlyMemory<Detection.Detection> detections, CancellationToken cancellationToken);

    /// <summary>The camera is going away (shutdown or reconfiguration): close what is open.</summary>
    ValueTask CompleteAsync(CancellationToken cancellationToken);
}
