using System.Runtime.InteropServices;
using EdgeSentry.Detection;

namespace EdgeSentry.Tracking;

/// <summary>One slot of a tracker's fixed track table.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct TrackedObject
{
    /// <summary>Unique per tracker instance, never reused, starting at 1.</summary>
    public int Id;
    public TrackState State;
    public int ClassId;
    /// <summary>Score of the latest matched detection.</summary>
    public float Score;
    /// <summary>The matched detection's box this frame; the motion model's prediction while unmatched.</summary>
    public BoundingBox Box;
    public int Hits;
    public double FirstSeenPts;
    /// <summary>The box the track was born with: where it came from, even if it was confirmed only later.</summary>
    public BoundingBox BirthBox;
    public double LastSeenPts;
    /// <summary>Index into this frame's detections, or -1 when the track was not matched this frame.</summary>
    public int DetectionIndex;

    public readonly bool IsMatched => DetectionIndex >= 0;

    /// <summary>Confirmed and seen in this very frame: what the rules count as present.</summary>
    public readonly bool IsVisible => State == TrackState.Confirmed && DetectionIndex >= 0;
}
