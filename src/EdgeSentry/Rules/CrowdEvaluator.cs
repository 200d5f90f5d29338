namespace EdgeSentry.Rules;

/// <summary>
/// Crowd: at least minCount of this frame's detections in the zone. Crowds count detections, not
/// confirmed tracks: identity does not matter for a head count, and in a dense crowd tracks are born
/// and lost far more often than people come and go.
/// </summary>
internal sealed class CrowdEvaluator : SingleKeyEvaluator
{
    private readonly int _minCount;
    private readonly int[] _severityCounts;

    /// <summary>Since when the count has stayed at or above each severity threshold (NaN when below).</summary>
    private readonly double[] _levelSince;

    public CrowdEvaluator(CompiledRule rule, RuleDefinition definition, CameraRuleContext camera)
        : base(rule, camera, heartbeats: true)
    {
        _minCount = definition.MinCount ?? 1;
        _severityCounts = (definition.SeverityCounts ?? [2 * _minCount, 3 * _minCount]).ToArray();
        _levelSince = new double[_severityCounts.Length];
        Array.Fill(_levelSince, double.NaN);
    }

    public override void Evaluate(in RuleFrame frame, bool armed)
    {
        var detections = frame.Detections;
        int width = frame.Geometry.FrameWidth, height = frame.Geometry.FrameHeight;
        int count = 0, best = -1;
        for (int i = 0; armed && i < detections.Length; i++)
        {
            ref readonly var d = ref detections[i];
            if (Rule.Passes(d.ClassId, d.Score, d.Box.Width / (double)width, d.Box.Height / (double)height)
                && (Rule.Zone is null || Rule.Zone.Contains(PlaneGeometry.FootX(d.Box, width), PlaneGeometry.FootY(d.Box, height))))
            {
                count++;
                if (best < 0 || d.Score > detections[best].Score)
                {
                    best = i;
                }
            }
        }

        bool condition = count >= _minCount;
        if (condition)
        {
            ref readonly var d = ref detections[best];
            State.SetSubject(d.ClassId, d.Score, d.Box, 0);
            State.Count = count;
        }

        Lifecycle.Advance(State, condition, double.NaN, SeverityFor(count, frame.T), false, frame);
    }

    /// <summary>
    /// One level up for each threshold the count has stayed at or above for the dwell time, so a single
    /// frame of duplicate boxes cannot escalate an incident to the street office.
    /// </summary>
    private int SeverityFor(int count, double t)
    {
        int severity = Rule.Severity;
        for (int k = 0; k < _severityCounts.Length; k++)
        {
            if (count < _severityCounts[k])
            {
                _levelSince[k] = double.NaN;
                continue;
            }

            if (double.IsNaN(_levelSince[k]))
            {
                _levelSince[k] = t;
            }

            if (t - _levelSince[k] >= Rule.Dwell - IncidentLifecycle.TimeSlack)
            {
                severity++;
            }
        }

        return Math.Min(3, severity);
    }
}
