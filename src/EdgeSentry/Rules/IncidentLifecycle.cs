using System.Globalization;

namespace EdgeSentry.Rules;

/// <summary>
/// The incident lifecycle every rule kind shares, for one rule: the condition must hold for the dwell
/// time (gaps shorter than the hold do not reset that clock) -> started; while open, updated on a
/// severity rise, when the evaluator asks (a line crossing), and every updateSeconds as a heartbeat;
/// ended once the condition has been false for the hold time, with duration and peak count; then the
/// key is quiet for the cooldown. Ids and sequence numbers are assigned here and nowhere else.
/// </summary>
internal sealed class IncidentLifecycle
{
    /// <summary>
    /// Slack on every "has T seconds passed" test: pts are rationals rounded to doubles, and 8.2 - 0.2
    /// must count as 8 seconds.
    /// </summary>
    public const double TimeSlack = 1e-6;

    private readonly CompiledRule _rule;
    private readonly CameraRuleContext _camera;
    private readonly bool _heartbeats;

    /// <param name="heartbeats">Whether open incidents send an "updated" every updateSeconds (a counting line updates per crossing instead).</param>
    public IncidentLifecycle(CompiledRule rule, CameraRuleContext camera, bool heartbeats)
    {
        _rule = rule;
        _camera = camera;
        _heartbeats = heartbeats;
    }

    /// <summary>
    /// One frame of the key's condition. <paramref name="since"/> overrides the start of the condition
    /// (parking's anchor time); NaN means "since the current episode began".
    /// </summary>
    public void Advance(IncidentState state, bool condition, double since, int severity, bool forceUpdate, in RuleFrame frame)
    {
        double t = frame.T;
        if (condition)
        {
            if (double.IsNaN(state.EpisodeSince))
            {
                state.EpisodeSince = t;
            }

            state.LastTrue = t;
            double start = double.IsNaN(since) ? state.EpisodeSince : since;
            if (!state.Open)
            {
                if (t - start >= _rule.Dwell - TimeSlack && t >= state.CooldownUntil - TimeSlack)
                {
                    state.Open = true;
                    state.Sequence = 0;
                    state.StartedPts = t;
                    state.StartedAt = frame.At;
                    state.ConditionSince = start;
                    state.Peak = state.Count;
                    state.Severity = severity;
                    state.IncidentId = _camera.NextIncidentId(_rule.Id, frame.At);
                    Emit(state, IncidentTransition.Started, frame);
                }

                return;
            }

            state.Peak = Math.Max(state.Peak, state.Count);
            if (severity > state.Severity)
            {
                state.Severity = severity;
                Emit(state, IncidentTransition.Updated, frame);
            }
            else if (forceUpdate || (_heartbeats && _rule.Update > 0 && t - state.LastEventPts >= _rule.Update - TimeSlack))
            {
                Emit(state, IncidentTransition.Updated, frame);
            }

            return;
        }

        if (!double.IsNaN(state.LastTrue) && t - state.LastTrue >= _rule.Hold - TimeSlack)
        {
            End(state, frame);
        }
    }

    /// <summary>Ends the key's incident if one is open (cooldown from now) and forgets the pending episode.</summary>
    public void End(IncidentState state, in RuleFrame frame)
    {
        if (state.Open)
        {
            Emit(state, IncidentTransition.Ended, frame);
            state.Open = false;
            state.CooldownUntil = frame.T + _rule.Cooldown;
        }

        state.EpisodeSince = double.NaN;
        state.LastTrue = double.NaN;
    }

    private void Emit(IncidentState state, IncidentTransition transition, in RuleFrame frame)
    {
        state.Sequence++;
        state.LastEventPts = frame.T;
        state.ReportedCount = state.Count;
        bool ended = transition == IncidentTransition.Ended;
        var labels = _camera.Labels;
        frame.Sink.Publish(new IncidentEvent
        {
            IncidentId = state.IncidentId!,
            Sequence = state.Sequence,
            Transition = transition,
            Kind = _rule.KindName,
            RuleId = _rule.Id,
            CameraId = _camera.CameraId,
            ZoneId = _rule.Zone?.Id,
            LineId = _rule.Line?.Id,
            LineDirection = _rule.Line is { HasDirection: true } line ? [line.DirectionX, line.DirectionY] : null,
            Severity = state.Severity,
            ClassId = state.ClassId,
            Label = (uint)state.ClassId < (uint)labels.Count ? labels[state.ClassId] : state.ClassId.ToString(CultureInfo.InvariantCulture),
            Score = state.Score,
            Box = state.Box,
            TrackId = state.TrackId == 0 ? null : state.TrackId,
            ObjectCount = state.Count,
            StartedPtsSeconds = state.StartedPts,
            PtsSeconds = frame.T,
            StartedAt = state.StartedAt,
            At = frame.At,
            FrameWidth = frame.Geometry.FrameWidth,
            FrameHeight = frame.Geometry.FrameHeight,
            DurationSeconds = ended ? state.LastTrue - state.ConditionSince : null,
            PeakObjectCount = ended ? state.Peak : null,
            ClassCounts = state.ClassCounts is { } counts ? ByLabel(counts, labels) : null,
        });
    }

    private static Dictionary<string, int> ByLabel(int[] counts, IReadOnlyList<string> labels)
    {
        var byLabel = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 0; c < counts.Length; c++)
        {
            if (counts[c] > 0)
            {
                byLabel[labels[c]] = counts[c];
            }
        }

        return byLabel;
    }
}
