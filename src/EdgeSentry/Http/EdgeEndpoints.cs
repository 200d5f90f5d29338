using EdgeSentry.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeSentry.Http;

/// <summary>The edge's HTTP surface: liveness, readiness and the Prometheus exposition.</summary>
public static class EdgeEndpoints
{
    public static IEndpointRouteBuilder MapEdgeEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // Alive while the host runs: a hung or dead process does not answer, which is all liveness should say.
        endpoints.MapGet("/healthz", (EdgeHealth health) =>
            Results.Json(new HealthzPayload("alive", HealthMonitor.ToStatus(health.Current)), HttpJson.Default.HealthzPayload));

        // Refreshed on every request, so a probe never sees a state older than the request.
        endpoints.MapGet("/readyz", (EdgeNodeHealthProbe probe) =>
        {
            var r = probe.Refresh();
            return Results.Json(
                new ReadyzPayload(r.Ready, r.BrokerConnected, r.DetectorLoaded, r.Cameras, HealthMonitor.ToStatus(r.Health)),
                HttpJson.Default.ReadyzPayload,
                statusCode: r.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        endpoints.MapPrometheusScrapingEndpoint("/metrics");
        return endpoints;
    }
}
