using EdgeSentry.Detection;

namespace EdgeSentry.Tracking;

/// <summary>One frame of recorded detections (e.g. parsed from <c>edgesentry detect --json</c>).</summary>
public sealed record RecordedFrame(double PtsSeconds, EdgeSentry.Detection.Detection[] Detections);
