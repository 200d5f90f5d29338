using Microsoft.Extensions.Logging;

namespace EdgeSentry.Alerts;

/// <summary>Alerts log events, ids 4000-4999. Hosts and client ids only: never credentials.</summary>
internal static partial class AlertsLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "MQTT connected to {Endpoint} as {ClientId}")]
    public static partial void Connected(ILogger logger, string endpoint, string clientId);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "MQTT connection to {Endpoint} lost: {Reason}; reconnecting by itself")]
    public static partial void ConnectionLost(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "MQTT reconnected to {Endpoint} (reconnect {Count})")]
    public static partial void Reconnected(ILogger logger, string endpoint, long count);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "MQTT connect to {Endpoint} failed: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "MQTT broker {Endpoint} refused a publish: {Reason}")]
    public static partial void PublishRefused(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Error, Message = "MQTT callback handler failed")]
    public static partial void CallbackFault(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "MQTT dropped an incoming message on {Topic}: {Reason}")]
    public static partial void IncomingDropped(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Information, Message = "MQTT disconnected from {Endpoint}")]
    public static partial void Disconnected(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Warning, Message = "MQTT broker {Endpoint} refused the connection: {Reason}")]
    public static partial void ConnectionRefused(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "Could not publish the online status on {Topic}")]
    public static partial void StatusNotRepublished(ILogger logger, string topic, Exception exception);

    [LoggerMessage(EventId = 4020, Level = LogLevel.Warning, Message = "Outbox dropped {Count} oldest messages ({Reason}: limit {Limit})")]
    public static partial void OutboxDropped(ILogger logger, long count, string reason, int limit);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Warning, Message = "Outbox dropped message {MessageId}: older than {MaxAge} before it could be sent")]
    public static partial void OutboxExpired(ILogger logger, string messageId, TimeSpan maxAge);

    [LoggerMessage(EventId = 4022, Level = LogLevel.Error, Message = "Outbox set aside message {MessageId} to {Topic} ({Reason}): {Detail}")]
    public static partial void OutboxSetAside(ILogger logger, string messageId, string topic, string reason, string detail);

    [LoggerMessage(EventId = 4024, Level = LogLevel.Warning, Message = "Outbox message {MessageId} to {Topic} made to fit the broker's {Limit}-byte packet limit: {Outcome}, {Before} -> {After} bytes")]
    public static partial void OutboxShrunk(ILogger logger, string messageId, string topic, long limit, string outcome, int before, int after);

    [LoggerMessage(EventId = 4025, Level = LogLevel.Warning, Message = "Outbox message {MessageId} refused for now (attempt {Attempt}), sending again in {Delay}: {Reason}")]
    public static partial void OutboxRetryLater(ILogger logger, string messageId, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(EventId = 4026, Level = LogLevel.Warning, Message = "OpenCV (OpenCvSharpExtern) cannot be loaded, so oversized snapshots are left out instead of re-encoded smaller: {Reason}")]
    public static partial void ShrinkUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 4023, Level = LogLevel.Debug, Message = "Outbox message {MessageId} stays stored for the next run: {Reason}")]
    public static partial void OutboxUnacknowledged(ILogger logger, string messageId, string reason);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Warning, Message = "MQTT broker {Endpoint} unreachable: {Reason}; retrying in the background")]
    public static partial void Unreachable(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 4027, Level = LogLevel.Error, Message = "Outbox {Path}: writes failing ({Reason}: {Detail}); incident transitions wait in memory and are retried with backoff")]
    public static partial void OutboxWriteFailed(ILogger logger, string path, string reason, string detail);

    [LoggerMessage(EventId = 4028, Level = LogLevel.Warning, Message = "Outbox writes succeed again (after {Attempts} attempt(s))")]
    public static partial void OutboxWritesRecovered(ILogger logger, int attempts);

    [LoggerMessage(EventId = 4029, Level = LogLevel.Critical, Message = "OUTBOX DATABASE CORRUPT: {Path} moved aside to {AsidePath} ({Detail}); starting on a new, empty outbox. Messages in the old file were NOT sent; inspect it with sqlite3")]
    public static partial void OutboxCorrupt(ILogger logger, string path, string asidePath, string detail);

    [LoggerMessage(EventId = 4030, Level = LogLevel.Error, Message = "Outbox {Path} at its bound: {Detail}; health degraded until sending brings it under 90 % of its bounds")]
    public static partial void OutboxFull(ILogger logger, string path, string detail);

    [LoggerMessage(EventId = 4031, Level = LogLevel.Warning, Message = "Outbox dropped {Count} oldest messages ({Bytes} payload bytes; capacity-bytes: limit {Limit} bytes)")]
    public static partial void OutboxDroppedBytes(ILogger logger, long count, long bytes, long limit);

    [LoggerMessage(EventId = 4032, Level = LogLevel.Information, Message = "Outbox {Path} below its bounds again ({Messages} messages, {Bytes} payload bytes waiting)")]
    public static partial void OutboxBelowBound(ILogger logger, string path, long messages, long bytes);
}
