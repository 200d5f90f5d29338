using Microsoft.Extensions.Logging;

namespace EdgeSentry.Configuration;

/// <summary>Configuration events: ids 7000-7999.</summary>
internal static partial class ConfigurationLog
{
    [LoggerMessage(7000, LogLevel.Error, "Configuration reload rejected, the running configuration stays: {Errors}")]
    public static partial void ReloadRejected(ILogger logger, string errors);
}
