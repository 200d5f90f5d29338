using EdgeSentry.Detection;

namespace EdgeSentry.Tracking;

/// <summary>CLEAR-MOT style counts of one evaluation.</summary>
public sealed record TrackingScores
{
    public int Frames { get; init; }
    public int TruthBoxes { get; init; }
    public int Matches { get; init; }
    public int Misses { get; init; }
    public int FalsePositives { get; init; }
    /// <summary>A truth object matched to a different track id than at its previous match.</summary>
    public int IdSwitches { get; init; }
    /// <summary>A truth object tracked again after frames in which it was present but not tracked.</summary>
    public int Fragmentations { get; init; }
    public int TruthTracks { get; init; }
    public int HypothesisTracks { get; init; }

    /// <summary>1 - (misses + false positives + id switches) / truth boxes.</summary>
    public double Mota => TruthBoxes == 0 ? 0 : 1 - ((Misses + FalsePositives + IdSwitches) / (double)TruthBoxes);
}
