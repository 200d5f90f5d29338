using System.Text.Json;

namespace EdgeSentry.Routing;

/// <summary>What became of one message from a unit. Everything but <see cref="Accepted"/> is counted.</summary>
public enum InputOutcome
{
    Accepted,
    /// <summary>The same acknowledgement again (QoS 1 redelivery): harmless, nothing changes.</summary>
    Duplicate,
    /// <summary>An empty retained status: the unit's status becomes unknown (off duty until it speaks again).</summary>
    Cleared,
    Oversized,
    /// <summary>Not JSON, or not the schema (wrong types, unknown fields, bad values).</summary>
    Malformed,
    /// <summary>The topic names a unit that is not configured.</summary>
    UnknownUnit,
    /// <summary>The payload's unitId differs from the topic's.</summary>
    WrongUnit,
    UnknownIncident,
    /// <summary>An acknowledgement from a unit the incident is not (or no longer) dispatched to.</summary>
    NotDispatched,
    /// <summary>A step backwards (on-site after resolved), or a status older than the one held, or dated in the future.</summary>
    OutOfOrder,
    /// <summary>Not a unit status or ack topic.</summary>
    IgnoredTopic,
    /// <summary>The unit sent more than its rate allows (<see cref="UnitRateLimiter"/>); dropped unread.</summary>
    RateLimited,
    /// <summary>The payload's <c>at</c> lies further in the future than the allowed clock skew.</summary>
    ClockSkew,
}
