namespace EdgeSentry.Rules;

/// <summary>The configuration and wire names of the rule kinds (kebab-case, as they appear in JSON and incidents).</summary>
public static class RuleKinds
{
    public const string Intrusion = "intrusion";
    public const string Loitering = "loitering";
    public const string Crowd = "crowd";
    public const string Parking = "parking";
    public const string WrongWay = "wrong-way";
    public const string LineCrossing = "line-crossing";

    private static readonly Dictionary<string, RuleKind> ByName = new(StringComparer.Ordinal)
    {
        [Intrusion] = RuleKind.Intrusion,
        [Loitering] = RuleKind.Loitering,
        [Crowd] = RuleKind.Crowd,
        [Parking] = RuleKind.Parking,
        [WrongWay] = RuleKind.WrongWay,
        [LineCrossing] = RuleKind.LineCrossing,
    };

    public static IReadOnlyList<string> All { get; } = [Intrusion, Loitering, Crowd, Parking, WrongWay, LineCrossing];

    public static bool TryParse(string? name, out RuleKind kind) => ByName.TryGetValue(name ?? string.Empty, out kind);

    public static string Name(RuleKind kind) => (uint)kind < (uint)All.Count
        ? All[(int)kind]
        : throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown rule kind");
}
