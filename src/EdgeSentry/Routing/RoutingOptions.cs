namespace EdgeSentry.Routing;

/// <summary>How incidents are routed to units and how long a unit has to accept one.</summary>
public sealed record RoutingOptions
{
    /// <summary>A unit status older than this (by its own <c>at</c>) counts as off duty.</summary>
    public TimeSpan StatusStaleAfter { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Acks and unit statuses larger than this are rejected unread.</summary>
    public int MaxInputBytes { get; init; } = 4096;
    /// <summary>Seconds a unit has to accept, per level 1, 2, 3.</summary>
    public IReadOnlyList<int> AcceptSlaSeconds { get; init; } = [300, 180, 60];
    /// <summary>Incidents remembered for acknowledgements; beyond it the oldest are forgotten (counted).</summary>
    public int MaxTrackedIncidents { get; init; } = 10_000;
    /// <summary>How often <see cref="IncidentRouter.RunAsync"/> looks for expired SLAs.</summary>
    public TimeSpan SlaCheckInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>How far a unit status's <c>at</c> may lie in the future (phone clocks drift) before it is rejected.</summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Messages a second one unit may send (statuses and acks together) after <see cref="UnitBurst"/>.</summary>
    public double UnitMessagesPerSecond { get; init; } = 2;
    /// <summary>Messages one unit may send at once (a reconnect re-sends its retained status, a batch of acks).</summary>
    public int UnitBurst { get; init; } = 20;

    /// <summary>MQTT 5 message expiry of the retained incident state: an edge that never comes back leaves nothing for ever.</summary>
    public TimeSpan StateExpiry { get; init; } = TimeSpan.FromDays(2);

    public TimeSpan Sla(int level) => TimeSpan.FromSeconds(AcceptSlaSeconds[Math.Clamp(level, 1, 3) - 1]);

    public void Validate()
    {
        var errors = new List<string>();
        if (StatusStaleAfter <= TimeSpan.Zero)
        {
            errors.Add("StatusStaleAfter must be positive");
        }

        if (MaxInputBytes is < 64 or > 1024 * 1024)
        {
            errors.Add("MaxInputBytes must be within 64..1048576");
        }

        if (AcceptSlaSeconds is not { Count: 3 } || AcceptSlaSeconds.Any(s => s < 1))
        {
            errors.Add("AcceptSlaSeconds needs three positive values (levels 1, 2, 3)");
        }

        if (StateExpiry < TimeSpan.FromSeconds(1))
        {
            errors.Add("StateExpiry must be at least one second");
        }

        if (MaxTrackedIncidents < 1 || SlaCheckInterval <= TimeSpan.Zero || MaxClockSkew < TimeSpan.Zero)
        {
            errors.Add("MaxTrackedIncidents and SlaCheckInterval must be positive, MaxClockSkew not negative");
        }

        if (!(UnitMessagesPerSecond > 0) || UnitBurst < 1)
        {
            errors.Add("UnitMessagesPerSecond must be positive and UnitBurst at least 1");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("routing options: " + string.Join("; ", errors));
        }
    }
}
