namespace EdgeSentry.Rules;

/// <summary>A rule with one incident key (camera x rule x its zone or line): intrusion, crowd, line-crossing.</summary>
internal abstract class SingleKeyEvaluator : RuleEvaluator
{
    protected SingleKeyEvaluator(CompiledRule rule, CameraRuleContext camera, bool heartbeats)
        : base(rule, camera, heartbeats)
    {
    }

    protected IncidentState State { get; } = new();

    public override void Flush(in RuleFrame frame) => Lifecycle.End(State, frame);
}
