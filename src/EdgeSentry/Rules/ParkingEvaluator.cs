namespace EdgeSentry.Rules;

/// <summary>
/// Parking: the bottom-centre stays within the radius of an anchor for the dwell time. Before the
/// incident the anchor follows the object (a creeping car restarts the clock); once open it is frozen,
/// so driving away ends it. A short loss of the track keeps the anchor: the car did not move while unseen.
/// </summary>
internal sealed class ParkingEvaluator : PerTrackEvaluator<ParkingEvaluator.Anchor>
{
    private readonly double _radius;

    public ParkingEvaluator(CompiledRule rule, RuleDefinition definition, CameraRuleContext camera)
        : base(rule, camera)
    {
        _radius = definition.Radius ?? RuleDefinition.DefaultRadius;
    }

    protected override bool Condition(ref Anchor anchor, int slot, bool open, in RuleFrame frame, out double since)
    {
        since = anchor.Since;
        double fx = frame.Geometry.FootX(slot), fy = frame.Geometry.FootY(slot);
        double dx = fx - anchor.X, dy = fy - anchor.Y;
        bool inside = anchor.IsSet && ((dx * dx) + (dy * dy)) <= _radius * _radius;
        if (open)
        {
            return inside;
        }

        if (!inside)
        {
            anchor = new Anchor { IsSet = true, X = fx, Y = fy, Since = frame.T };
        }

        since = anchor.Since;
        return true;
    }

    /// <summary>Within the parking radius of the anchor of the lost car.</summary>
    protected override bool IsWhereLost(int slot, int other, in Anchor otherState, IncidentState open, in RuleFrame frame)
    {
        double dx = frame.Geometry.FootX(slot) - otherState.X, dy = frame.Geometry.FootY(slot) - otherState.Y;
        return (dx * dx) + (dy * dy) <= _radius * _radius;
    }

    /// <summary>Where and since when the object has stood still.</summary>
    internal struct Anchor : ITrackSlotState
    {
        public bool IsSet;
        public double X;
        public double Y;
        public double Since;

        public readonly bool IsStarted => IsSet;

        /// <summary>Only the flag: an open incident in this slot still needs where its car stood.</summary>
        public void Forget() => IsSet = false;
    }
}
