using EdgeSentry.Detection;

namespace EdgeSentry.Rules;

/// <summary>
/// The lifecycle of one incident key (camera x rule x zone, or x track): the pending episode before the
/// dwell time is reached, the open incident, and the cooldown after it. Preallocated and reused; the
/// only allocation is the incident id string when an incident starts.
/// </summary>
internal sealed class IncidentState
{
    /// <summary>Stream time the current episode of "condition true" began (gaps shorter than the hold time included); NaN when none.</summary>
    public double EpisodeSince = double.NaN;
    public double LastTrue = double.NaN;
    public double CooldownUntil = double.NegativeInfinity;

    public bool Open;
    public string? IncidentId;
    public int Sequence;
    public double StartedPts;
    public DateTimeOffset StartedAt;
    public double ConditionSince;
    public double LastEventPts;
    public int Peak;
    public int Severity;

    /// <summary>For per-track keys: the id of the track the state belongs to (0 = none).</summary>
    public int OwnerTrackId;

    // What the next event reports.
    public int ClassId;
    public float Score;
    public BoundingBox Box;
    public int TrackId;
    public int Count;
    public int ReportedCount;

    /// <summary>Per-class counts the events carry (a counting line's crossings per class); null for other kinds.</summary>
    public int[]? ClassCounts;

    /// <summary>Forgets everything, cooldown included (a new owner).</summary>
    public void Reset(int ownerTrackId)
    {
        EpisodeSince = double.NaN;
        LastTrue = double.NaN;
        CooldownUntil = double.NegativeInfinity;
        Open = false;
        IncidentId = null;
        Sequence = 0;
        Peak = 0;
        Severity = 0;
        Count = 0;
        ReportedCount = 0;
        TrackId = 0;
        OwnerTrackId = ownerTrackId;
    }

    public void SetSubject(int classId, float score, in BoundingBox box, int trackId)
    {
        ClassId = classId;
        Score = score;
        Box = box;
        TrackId = trackId;
    }
}
