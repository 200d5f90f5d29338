using Microsoft.Extensions.Hosting;

namespace EdgeSentry.Pipeline;

/// <summary>The Generic Host's view of the edge node: a thin adapter. Faults reach the host and stop it.</summary>
public sealed class EdgeSentryService(EdgeNode node, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await node.RunAsync(stoppingToken);
        }
        finally
        {
            // The node ends on its own only on a fault; either way the process should not linger.
            lifetime.StopApplication();
        }
    }
}
