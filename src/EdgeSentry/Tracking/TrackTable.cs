namespace EdgeSentry.Tracking;

/// <summary>
/// The slot-table bookkeeping every tracker shares (what a match and a birth do to a slot, which slot a
/// birth may take); the trackers differ only in how they predict and associate.
/// </summary>
internal static class TrackTable
{
    /// <summary>A free slot that no open incident still refers to, or -1 when the table is full.</summary>
    public static int FreeSlot(ReadOnlySpan<TrackedObject> tracks, ReadOnlySpan<bool> pinned)
    {
        for (int i = 0; i < tracks.Length; i++)
        {
            if (tracks[i].State == TrackState.Free && !pinned[i])
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// The track saw detection <paramref name="index"/> this frame; a tentative one is confirmed on its <paramref name="minHits"/>-th hit.
    /// The track takes the detection's class: after a cross-class match, its label is the model's latest word.
    /// </summary>
    public static void Matched(ref TrackedObject track, in EdgeSentry.Detection.Detection detection, int index, double ptsSeconds, int minHits)
    {
        track.DetectionIndex = index;
        track.ClassId = detection.ClassId;
        track.Box = detection.Box;
        track.Score = detection.Score;
        track.Hits++;
        track.LastSeenPts = ptsSeconds;
        if (track.State != TrackState.Tentative || track.Hits >= minHits)
        {
            track.State = TrackState.Confirmed;
        }
    }

    /// <summary>
    /// The track saw nothing this frame: a tentative one dies at once, a confirmed one is lost and dies
    /// once unseen for <paramref name="lostSeconds"/>. Returns whether it lives on (as lost).
    /// </summary>
    public static bool Missed(ref TrackedObject track, double ptsSeconds, double lostSeconds)
    {
        if (track.State == TrackState.Tentative || ptsSeconds - track.LastSeenPts >= lostSeconds)
        {
            track = default;
            return false;
        }

        track.State = TrackState.Lost;
        return true;
    }

    /// <summary>A new track from detection <paramref name="index"/>: tentative until it has been seen <paramref name="minHits"/> times.</summary>
    public static TrackedObject Born(int id, in EdgeSentry.Detection.Detection detection, int index, double ptsSeconds, int minHits) => new()
    {
        Id = id,
        State = minHits <= 1 ? TrackState.Confirmed : TrackState.Tentative,
        ClassId = detection.ClassId,
        Score = detection.Score,
        Box = detection.Box,
        Hits = 1,
        FirstSeenPts = ptsSeconds,
        BirthBox = detection.Box,
        LastSeenPts = ptsSeconds,
        DetectionIndex = index,
    };
}
