namespace EdgeSentry.Rules;

/// <summary>What a per-track rule remembers about the track in one slot (a parking anchor, a wrong-way pass).</summary>
internal interface ITrackSlotState
{
    /// <summary>Whether the track's condition has begun (an anchor set, a pass entered).</summary>
    bool IsStarted { get; }

    /// <summary>The track is visible but no longer eligible (left the zone, filtered out): start over when it is again.</summary>
    void Forget();
}
