using EdgeSentry.Rules;

namespace EdgeSentry.Routing;

/// <summary>
/// One incident in the closed loop and its state machine: dispatched to a unit (or unassigned), acknowledged
/// forward only (accepted, on-site, resolved), withdrawn and handed on when the SLA passes, ended by the rules or by
/// a restart. The acceptance clock runs on the monotonic clock and starts only when the broker acknowledged the
/// unit's dispatch message (<see cref="AwaitingDelivery"/>). Not thread-safe: the router's gate serialises it.
/// </summary>
internal sealed class LoopIncident(IncidentEvent incident, GridCell cell, GeoPoint position, bool exact, DateTimeOffset reportedAt)
{
    public string IncidentId { get; } = incident.IncidentId;
    public GridCell Cell { get; } = cell;
    public GeoPoint Position { get; } = position;
    public bool ExactPosition { get; } = exact;
    public DateTimeOffset ReportedAt { get; } = reportedAt;
    public IncidentEvent Last { get; set; } = incident;
    public int Level { get; set; } = Math.Clamp(incident.Severity, 1, 3);
    public LoopState State { get; set; } = LoopState.Reported;
    public DispatchReason Reason { get; set; } = DispatchReason.NoUnit;
    public string? UnitId { get; set; }
    public double? Distance { get; set; }
    public DateTimeOffset DispatchedAt { get; set; }
    public HashSet<string> Tried { get; } = new(StringComparer.Ordinal);
    public int Escalations { get; set; }
    public int Revision { get; set; }
    public bool Ended { get; set; }
    public EndReason? EndReason { get; set; }
    public bool StreetNotified { get; set; }
    public TimeSpan Sla { get; set; }
    /// <summary>The dispatch message whose PUBACK starts the acceptance clock; null once it started (or none).</summary>
    public string? AwaitingDelivery { get; set; }
    /// <summary>Monotonic timestamp (TimeProvider.GetTimestamp) of the acceptance deadline; null while not running.</summary>
    public long? DeadlineTimestamp { get; set; }
    /// <summary>The deadline as wall time, for the wire only; decisions use <see cref="DeadlineTimestamp"/>.</summary>
    public DateTimeOffset? AcceptBy { get; set; }

    /// <summary>The loop is over for good: the unit resolved it and the rules ended it. Its row can go.</summary>
    public bool Closed => State == LoopState.Resolved && Ended;

    /// <summary>Hands the incident to <paramref name="unitId"/>; the clock waits for <paramref name="messageId"/>'s delivery.</summary>
    public void DispatchTo(string unitId, double? distance, DispatchReason reason, TimeSpan sla, DateTimeOffset now)
    {
        UnitId = unitId;
        Distance = distance;
        Reason = reason;
        State = LoopState.Dispatched;
        DispatchedAt = now;
        Sla = sla;
        DeadlineTimestamp = null;
        AcceptBy = null;
        Tried.Add(unitId);
    }

    public void Unassign(DateTimeOffset now)
    {
        UnitId = null;
        Distance = null;
        Reason = DispatchReason.NoUnit;
        State = LoopState.Unassigned;
        DispatchedAt = now;
        AwaitingDelivery = null;
        DeadlineTimestamp = null;
        AcceptBy = null;
    }

    /// <summary>The unit can have seen it: the acceptance clock starts (monotonic), once.</summary>
    public void StartClock(long timestamp, DateTimeOffset wallNow, TimeSpan remaining)
    {
        AwaitingDelivery = null;
        DeadlineTimestamp = timestamp + (long)(remaining.TotalSeconds * TimeProviderFrequency);
        AcceptBy = wallNow + remaining;
    }

    /// <summary>Set by the router: the timestamp frequency of its TimeProvider.</summary>
    public long TimeProviderFrequency { get; set; } = TimeSpan.TicksPerSecond;

    public bool IsDue(long nowTimestamp) => State == LoopState.Dispatched && DeadlineTimestamp is { } due && due <= nowTimestamp;

    /// <summary>How long is left on the running clock (zero when past), null while it does not run.</summary>
    public TimeSpan? Remaining(long nowTimestamp) => DeadlineTimestamp is { } due
        ? TimeSpan.FromSeconds(Math.Max(0, due - nowTimestamp) / (double)TimeProviderFrequency)
        : null;

    /// <summary>Applies a unit's acknowledgement: forward only.</summary>
    public InputOutcome Acknowledge(AckStatus status)
    {
        LoopState next = LoopWire.StateOf(status);
        int held = LoopWire.Rank(State);
        int wanted = LoopWire.Rank(next);
        if (wanted == held)
        {
            return InputOutcome.Duplicate;
        }

        if (wanted < held)
        {
            return InputOutcome.OutOfOrder;
        }

        State = next;
        AwaitingDelivery = null;
        DeadlineTimestamp = null;
        AcceptBy = null;
        return InputOutcome.Accepted;
    }

    /// <summary>Level rises with the severity the rules report (never falls); true when it rose.</summary>
    public bool RaiseLevel(int severity)
    {
        int level = Math.Clamp(severity, 1, 3);
        if (level <= Level)
        {
            return false;
        }

        Level = level;
        return true;
    }
}
