using Microsoft.Extensions.Logging;

namespace EdgeSentry.Demo;

/// <summary>Demo peer events, in the pipeline's range: 6009 keeps the id it had while the node started the peers itself; 6090.</summary>
internal static partial class DemoLog
{
    [LoggerMessage(6009, LogLevel.Information, "Demo peer started: {Peer} on 127.0.0.1:{Port}")]
    public static partial void PeerStarted(ILogger logger, string peer, int port);

    [LoggerMessage(6090, LogLevel.Information, "Demo peers stopped: {Peers}")]
    public static partial void PeersStopped(ILogger logger, string peers);
}
