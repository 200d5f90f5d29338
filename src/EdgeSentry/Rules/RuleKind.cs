namespace EdgeSentry.Rules;

public enum RuleKind
{
    Intrusion,
    Loitering,
    Crowd,
    Parking,
    WrongWay,
    LineCrossing,
}

/// <summary>The configuration and wire names of the rule kinds (kebab-case, as they appear in JSON and incidents).</summary>
public static class RuleKinds
{
    public const string Intrusion = "intrusion";
    public const string Loitering = "loitering";
    public const string Crowd = "crowd";
    public const string Parking = "parking";
    public const string WrongWay = "wrong-way";
    public const string LineCrossing = "line-crossing";

    public static IReadOnlyList<string> All { get; } = [Intrusion, Loitering, Crowd, Parking, WrongWay, LineCrossing];

    public static bool TryParse(string? name, out RuleKind kind)
    {
        switch (name)
        {
            case Intrusion: kind = RuleKind.Intrusion; return true;
            case Loitering: kind = RuleKind.Loitering; return true;
            case Crowd: kind = RuleKind.Crowd; return true;
            case Parking: kind = RuleKind.Parking; return true;
            case WrongWay: kind = RuleKind.WrongWay; return true;
            case LineCrossing: kind = RuleKind.LineCrossing; return true;
            default: kind = default; return false;
        }
    }

    public static string Name(RuleKind kind) => kind switch
    {
        RuleKind.Intrusion => Intrusion,
        RuleKind.Loitering => Loitering,
        RuleKind.Crowd => Crowd,
        RuleKind.Parking => Parking,
        RuleKind.WrongWay => WrongWay,
        RuleKind.LineCrossing => LineCrossing,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown rule kind"),
    };
}
