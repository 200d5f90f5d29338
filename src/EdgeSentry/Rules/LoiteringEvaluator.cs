namespace EdgeSentry.Rules;

/// <summary>Loitering: an eligible confirmed track stays in the zone for the dwell time.</summary>
internal sealed class LoiteringEvaluator : PerTrackEvaluator<LoiteringEvaluator.NoState>
{
    public LoiteringEvaluator(CompiledRule rule, CameraRuleContext camera)
        : base(rule, camera)
    {
    }

    protected override bool IsFresh(in NoState slot, IncidentState state) => double.IsNaN(state.EpisodeSince);

    protected override bool Condition(ref NoState state, int slot, bool open, in RuleFrame frame, out double since)
    {
        since = double.NaN;
        return true;
    }

    /// <summary>Within half the person's box height of their last bottom-centre (scale-aware: far people are small).</summary>
    protected override bool IsWhereLost(int slot, int other, in NoState otherState, IncidentState open, in RuleFrame frame)
    {
        var g = frame.Geometry;
        double dx = (g.FootX(slot) * g.FrameWidth) - ((open.Box.X1 + open.Box.X2) * 0.5);
        double dy = (g.FootY(slot) * g.FrameHeight) - open.Box.Y2;
        double reach = 0.5 * open.Box.Height;
        return (dx * dx) + (dy * dy) <= reach * reach;
    }

    /// <summary>Loitering needs nothing per slot beyond the incident state.</summary>
    internal struct NoState : ITrackSlotState
    {
        public readonly bool IsStarted => false;

        public readonly void Forget()
        {
        }
    }
}
