namespace EdgeSentry.Rules;

/// <summary>
/// A rule with one incident key per track (camera x rule x track): loitering, parking, wrong-way.
/// Keeps an <see cref="IncidentState"/> and a typed <typeparamref name="TSlot"/> per tracker slot; a
/// slot with an open incident stays pinned until the incident ends, even if its track died.
/// </summary>
/// <remarks>
/// A parked car hidden (a bus in front) or a person standing at the gate who is occluded for longer
/// than the tracker's lost time comes back as a new track. If the new track appears where an open
/// incident's own track was last seen (<see cref="IsWhereLost"/>), and that track is gone or lost, it
/// takes the incident over instead of starting a second one: one parked car, one lingering person, one incident.
/// </remarks>
internal abstract class PerTrackEvaluator<TSlot> : RuleEvaluator
    where TSlot : struct, ITrackSlotState
{
    private readonly IncidentState[] _states;
    private readonly int[] _slotTrackId;
    private readonly TSlot[] _slots;

    protected PerTrackEvaluator(CompiledRule rule, CameraRuleContext camera)
        : base(rule, camera, heartbeats: true)
    {
        _states = new IncidentState[camera.TrackCapacity];
        for (int i = 0; i < _states.Length; i++)
        {
            _states[i] = new IncidentState();
        }

        _slotTrackId = new int[camera.TrackCapacity];
        _slots = new TSlot[camera.TrackCapacity];
    }

    public sealed override void Evaluate(in RuleFrame frame, bool armed)
    {
        var tracks = frame.Tracks;
        for (int slot = 0; slot < tracks.Length; slot++)
        {
            ref readonly var track = ref tracks[slot];
            var state = _states[slot];
            if (state.OwnerTrackId != track.Id)
            {
                if (state.Open)
                {
                    // The owner died; its slot stays pinned until the incident's hold runs out.
                    Lifecycle.Advance(state, false, double.NaN, state.Severity, false, frame);
                    continue;
                }

                state.Reset(track.Id);
            }

            if (_slotTrackId[slot] != track.Id)
            {
                _slotTrackId[slot] = track.Id;
                _slots[slot] = default;
            }

            if (track.Id == 0 && !state.Open)
            {
                continue;
            }

            bool eligible = armed && Rule.Accepts(track, slot, frame.Geometry);
            if (eligible && !state.Open && IsFresh(_slots[slot], state))
            {
                state = AdoptOrphanedIncident(slot, state, frame);
            }

            bool condition = false;
            double since = double.NaN;
            if (eligible)
            {
                condition = Condition(ref _slots[slot], slot, state.Open, frame, out since);
            }
            else if (track.IsVisible)
            {
                _slots[slot].Forget();
            }

            if (condition)
            {
                state.SetSubject(track.ClassId, track.Score, track.Box, track.Id);
                state.Count = 1;
            }

            Lifecycle.Advance(state, condition, since, Rule.Severity, false, frame);
        }
    }

    public sealed override void Flush(in RuleFrame frame)
    {
        foreach (var state in _states)
        {
            Lifecycle.End(state, frame);
        }
    }

    public sealed override void MarkPinned(Span<bool> pinned)
    {
        for (int slot = 0; slot < pinned.Length; slot++)
        {
            pinned[slot] |= _states[slot].Open;
        }
    }

    /// <summary>Whether the eligible track in the slot is at the start of its condition, so it may be an open incident's lost track.</summary>
    protected virtual bool IsFresh(in TSlot slot, IncidentState state) => !slot.IsStarted;

    /// <summary>
    /// This frame's condition for the eligible track in <paramref name="slot"/>. <paramref name="since"/>
    /// overrides when the condition began (NaN: since the episode began).
    /// </summary>
    protected abstract bool Condition(ref TSlot state, int slot, bool open, in RuleFrame frame, out double since);

    /// <summary>Whether the new track in <paramref name="slot"/> stands where the open incident in <paramref name="other"/> lost its track.</summary>
    protected abstract bool IsWhereLost(int slot, int other, in TSlot otherState, IncidentState open, in RuleFrame frame);

    private IncidentState AdoptOrphanedIncident(int slot, IncidentState fresh, in RuleFrame frame)
    {
        var tracks = frame.Tracks;
        ref readonly var track = ref tracks[slot];
        for (int other = 0; other < tracks.Length; other++)
        {
            var open = _states[other];
            if (other == slot || !open.Open || open.ClassId != track.ClassId
                || (tracks[other].Id == open.OwnerTrackId && tracks[other].IsVisible)
                || !IsWhereLost(slot, other, _slots[other], open, frame))
            {
                continue;
            }

            // Swap the two states (no allocation): the open incident moves to this slot and its pin with it.
            _states[slot] = open;
            _states[other] = fresh;
            fresh.Reset(tracks[other].Id);
            open.OwnerTrackId = track.Id;
            _slots[slot] = _slots[other];
            _slotTrackId[slot] = track.Id;
            _slots[other] = default;
            return open;
        }

        return fresh;
    }
}
