using EdgeSentry.Detection;

namespace EdgeSentry.Tracking;

/// <summary>One labelled box of a frame: a ground-truth object or a tracker's output.</summary>
public readonly record struct TrackBox(int Id, int ClassId, BoundingBox Box);
