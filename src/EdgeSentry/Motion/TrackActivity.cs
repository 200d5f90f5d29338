using EdgeSentry.Tracking;

namespace EdgeSentry.Motion;

/// <summary>What the motion policy asks of a tracker: is anything being followed right now?</summary>
public static class TrackActivity
{
    /// <summary>
    /// Tracks in use: tentative ones (something new was just seen: look again at full rate to confirm it or let it
    /// go), confirmed ones (a person standing still keeps their track and dwell time) and lost ones within their
    /// grace period (a briefly hidden object is found again).
    /// </summary>
    public static int Live(ReadOnlySpan<TrackedObject> tracks)
    {
        int n = 0;
        foreach (ref readonly var t in tracks)
        {
            if (t.State is not TrackState.Free)
            {
                n++;
            }
        }

        return n;
    }
}
