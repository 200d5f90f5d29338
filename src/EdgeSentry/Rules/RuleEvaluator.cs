namespace EdgeSentry.Rules;

/// <summary>
/// One rule's condition, evaluated once per frame, with its own typed state; what happens when the
/// condition holds or lapses is the shared <see cref="IncidentLifecycle"/>. One subclass per rule kind.
/// </summary>
internal abstract class RuleEvaluator
{
    protected RuleEvaluator(CompiledRule rule, CameraRuleContext camera, bool heartbeats)
    {
        Rule = rule;
        Lifecycle = new IncidentLifecycle(rule, camera, heartbeats);
    }

    public CompiledRule Rule { get; }

    protected IncidentLifecycle Lifecycle { get; }

    /// <param name="armed">False outside the rule's schedule: the condition is false (open incidents end after the hold).</param>
    public abstract void Evaluate(in RuleFrame frame, bool armed);

    /// <summary>Ends every open incident now (shutdown, camera removed) and forgets pending ones.</summary>
    public abstract void Flush(in RuleFrame frame);

    /// <summary>Marks the track slots an open incident of this rule still refers to.</summary>
    public virtual void MarkPinned(Span<bool> pinned)
    {
    }
}
