using System.Runtime.InteropServices;
using EdgeSentry.Detection;

namespace EdgeSentry.Tracking;

public enum TrackState : byte
{
    /// <summary>The slot holds no track.</summary>
    Free,
    /// <summary>Born, but not yet matched often enough to be believed; rules do not see it.</summary>
    Tentative,
    Confirmed,
    /// <summary>Confirmed, but unmatched for less than the lost time; it coasts on its motion model.</summary>
    Lost,
}
