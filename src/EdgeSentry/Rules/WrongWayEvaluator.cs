namespace EdgeSentry.Rules;

/// <summary>
/// Wrong way: how far the object has fallen back along the allowed direction from the furthest point
/// it reached since entering the zone. Forward motion and jitter never add up to the minimum distance.
/// </summary>
internal sealed class WrongWayEvaluator : PerTrackEvaluator<WrongWayEvaluator.Pass>
{
    private readonly double _directionX;
    private readonly double _directionY;
    private readonly double _minDistance;

    public WrongWayEvaluator(CompiledRule rule, RuleDefinition definition, CameraRuleContext camera)
        : base(rule, camera)
    {
        double dx = definition.Direction?[0] ?? rule.Zone!.DirectionX, dy = definition.Direction?[1] ?? rule.Zone!.DirectionY;
        double len = Math.Sqrt((dx * dx) + (dy * dy));
        _directionX = dx / len;
        _directionY = dy / len;
        _minDistance = definition.MinDistance ?? RuleDefinition.DefaultMinDistance;
    }

    protected override bool Condition(ref Pass pass, int slot, bool open, in RuleFrame frame, out double since)
    {
        since = double.NaN;
        double progress = (frame.Geometry.FootX(slot) * _directionX) + (frame.Geometry.FootY(slot) * _directionY);
        if (!pass.Entered)
        {
            pass = new Pass { Entered = true, Furthest = progress, EnteredAt = frame.T };
        }
        else if (progress > pass.Furthest)
        {
            pass.Furthest = progress;
        }

        return pass.Furthest - progress >= _minDistance;
    }

    /// <summary>
    /// A wrong-way car lost mid-pass kept driving while unseen, so the new track must lie on the car's
    /// course (sideways within the car's size), not behind where the car was last seen (a following car
    /// would be), and not further ahead than the car could have driven since, at twice its average
    /// speed over the pass (it may have sped up while unseen).
    /// </summary>
    protected override bool IsWhereLost(int slot, int other, in Pass otherState, IncidentState open, in RuleFrame frame)
    {
        var g = frame.Geometry;
        double lastX = PlaneGeometry.FootX(open.Box, g.FrameWidth), lastY = PlaneGeometry.FootY(open.Box, g.FrameHeight);
        double size = Math.Max(open.Box.Width / (double)g.FrameWidth, open.Box.Height / (double)g.FrameHeight);
        double dx = g.FootX(slot) - lastX, dy = g.FootY(slot) - lastY;
        double along = (dx * _directionX) + (dy * _directionY);
        double across = Math.Abs((dx * _directionY) - (dy * _directionX));

        double fallen = otherState.Furthest - ((lastX * _directionX) + (lastY * _directionY));
        double speed = fallen / Math.Max(open.LastTrue - otherState.EnteredAt, frame.Step);
        double reach = (2 * speed * (frame.T - open.LastTrue)) + (0.5 * size);
        return across <= size && along <= 0.5 * size && -along <= reach;
    }

    /// <summary>The track's pass through the zone.</summary>
    internal struct Pass : ITrackSlotState
    {
        public bool Entered;
        /// <summary>The furthest progress along the allowed direction since entering.</summary>
        public double Furthest;
        /// <summary>Stream time the track entered the zone.</summary>
        public double EnteredAt;

        public readonly bool IsStarted => Entered;

        /// <summary>Only the flag: an open incident in this slot still needs its pass to be re-found.</summary>
        public void Forget() => Entered = false;
    }
}
