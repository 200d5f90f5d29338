using EdgeSentry.Detection;

namespace EdgeSentry.Tracking;

/// <summary>What a tracker produced over a recording: per frame, the confirmed tracks it reported as seen.</summary>
public sealed record TrackerRun(IReadOnlyList<TrackBox[]> Frames, int TracksStarted, int DistinctConfirmedTracks, double MeanConfirmedTrackSeconds);
