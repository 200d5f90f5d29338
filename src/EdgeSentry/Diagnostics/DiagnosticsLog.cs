using Microsoft.Extensions.Logging;

namespace EdgeSentry.Diagnostics;

/// <summary>Diagnostics and HTTP log messages, event ids 9000-9099.</summary>
internal static partial class DiagnosticsLog
{
    [LoggerMessage(EventId = 9000, Level = LogLevel.Information, Message = "Health {Status}: {Reasons}")]
    public static partial void HealthChanged(ILogger logger, string status, string reasons);

    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "Edge status with health not published: {Error}")]
    public static partial void StatusNotPublished(ILogger logger, string error);

    [LoggerMessage(EventId = 9010, Level = LogLevel.Information, Message = "HTTP: /healthz, /readyz and /metrics on {Address}")]
    public static partial void HttpListening(ILogger logger, string address);
}
