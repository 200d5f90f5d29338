namespace EdgeSentry.Rules;

/// <summary>The one place that maps a rule kind to its evaluator and to the kind-specific settings it reads.</summary>
internal static class RuleEvaluators
{
    private static readonly Dictionary<RuleKind, KindSettings> Settings = new()
    {
        [RuleKind.Intrusion] = KindSettings.None,
        [RuleKind.Loitering] = KindSettings.Dwell,
        [RuleKind.Crowd] = KindSettings.Dwell | KindSettings.CrowdCounts,
        [RuleKind.Parking] = KindSettings.Dwell | KindSettings.Radius,
        [RuleKind.WrongWay] = KindSettings.Direction,
        [RuleKind.LineCrossing] = KindSettings.Line,
    };

    private static readonly Dictionary<RuleKind, Func<CompiledRule, RuleDefinition, CameraRuleContext, RuleEvaluator>> Factories = new()
    {
        [RuleKind.Intrusion] = static (rule, _, camera) => new IntrusionEvaluator(rule, camera),
        [RuleKind.Loitering] = static (rule, _, camera) => new LoiteringEvaluator(rule, camera),
        [RuleKind.Crowd] = static (rule, definition, camera) => new CrowdEvaluator(rule, definition, camera),
        [RuleKind.Parking] = static (rule, definition, camera) => new ParkingEvaluator(rule, definition, camera),
        [RuleKind.WrongWay] = static (rule, definition, camera) => new WrongWayEvaluator(rule, definition, camera),
        [RuleKind.LineCrossing] = static (rule, _, camera) => new LineCrossingEvaluator(rule, camera),
    };

    /// <summary>Which kind-specific settings rules of <paramref name="kind"/> require or accept (validation).</summary>
    public static KindSettings SettingsOf(RuleKind kind) => Settings[kind];

    public static RuleEvaluator Create(CompiledRule rule, RuleDefinition definition, CameraRuleContext camera) =>
        Factories[rule.Kind](rule, definition, camera);
}
