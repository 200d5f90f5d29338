using Microsoft.Extensions.Logging;

namespace EdgeSentry.Routing;

/// <summary>Routing log events, ids 5000-5999. Unit and incident ids only; payloads from the network are never logged.</summary>
internal static partial class RoutingLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Incident {IncidentId} dispatched to unit {UnitId} ({Reason}, {DistanceMetres} m, level {Level})")]
    public static partial void Dispatched(ILogger logger, string incidentId, string unitId, DispatchReason reason, double? distanceMetres, int level);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Incident {IncidentId}: no on-duty unit in cell {GridId} or its neighbours; centre only (level {Level})")]
    public static partial void NoUnit(ILogger logger, string incidentId, string gridId, int level);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Incident {IncidentId} not accepted by {UnitId} within {Sla}: escalating to level {Level}")]
    public static partial void SlaExpired(ILogger logger, string incidentId, string unitId, TimeSpan sla, int level);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Information, Message = "Incident {IncidentId}: unit {UnitId} reports {State}")]
    public static partial void Acknowledged(ILogger logger, string incidentId, string unitId, LoopState state);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "Rejected {Kind} on unit topic {UnitId}: {Outcome} ({Count} so far)")]
    public static partial void InputRejected(ILogger logger, string kind, string unitId, InputOutcome outcome, long count);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "Forgot incident {IncidentId}: more than {Max} incidents tracked")]
    public static partial void Evicted(ILogger logger, string incidentId, int max);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "Level-3 incident {IncidentId} in cell {GridId}: the cell has no street to escalate to")]
    public static partial void NoStreet(ILogger logger, string incidentId, string gridId);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Information, Message = "Incident {IncidentId}: level raised to {Level} by the rules")]
    public static partial void LevelRaised(ILogger logger, string incidentId, int level);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Information, Message = "Closed loop resumed: {Count} incidents from the last run, {Ended} ended with reason edge-restarted")]
    public static partial void Resumed(ILogger logger, int count, long ended);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Incident {IncidentId} was open when the edge stopped: ended (edge-restarted), loop state {State}")]
    public static partial void EndedAtStart(ILogger logger, string incidentId, LoopState state);
}
