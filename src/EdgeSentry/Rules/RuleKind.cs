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
