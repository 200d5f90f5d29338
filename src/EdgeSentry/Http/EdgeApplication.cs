using System.Diagnostics.Metrics;
using System.Net;
using EdgeSentry.Alerts;
using EdgeSentry.Configuration;
using EdgeSentry.Demo;
using EdgeSentry.Diagnostics;
using EdgeSentry.Operator;
using EdgeSentry.Pipeline;
using EdgeSentry.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace EdgeSentry.Http;

/// <summary>
/// The one deployable as an ASP.NET Core application: the demo's peers (when configured) and the edge node as hosted
/// services, its health loop, and Kestrel serving /healthz, /readyz and /metrics on <c>http.listen</c> (loopback by default).
/// Under systemd (Type=notify) it reports ready once started and pets the watchdog while not failing.
/// </summary>
public static class EdgeApplication
{
    /// <summary>Every meter exposed on /metrics; System.Runtime carries the process figures (CPU, memory, GC, threads).</summary>
    public static readonly string[] Meters =
        [EdgeSentryMetrics.MeterName, EdgeNodeGauges.MeterName, AlertOutbox.MeterName, MqttConnection.MeterName, IncidentRouter.MeterName, "System.Runtime"];

    /// <param name="configPath">The configuration file the operator page's editor saves to (null: built-in, not editable).</param>
    public static WebApplication Build(EdgeSentrySection options, Action<ILoggingBuilder>? logging = null, string? configPath = null)
    {
        if (!HttpSection.TryParseListen(options.Http.Listen, out var listen))
        {
            throw new ConfigurationException("http", [$"$.http.listen: '{options.Http.Listen}' is not address:port"]);
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k => k.Listen(listen));
        builder.Services.AddRoutingCore();
        builder.Logging.ClearProviders();
        if (logging is null)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }
        else
        {
            logging(builder.Logging);
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        // READY=1 / STOPPING=1 for Type=notify when systemd started us; inert otherwise.
        builder.Services.AddSystemd();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<EdgeSentryMetrics>();
        builder.Services.AddSingleton(sp => new OperatorHub(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(), configPath));
        // One supervisor for every long-running loop: the node's and the health monitor's.
        builder.Services.AddSingleton(sp => new Supervisor(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Supervisor>>(), sp.GetRequiredService<EdgeSentryMetrics>()));
        builder.Services.AddSingleton(sp => new EdgeNode(options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<EdgeSentryMetrics>(), sp.GetRequiredService<IMeterFactory>(), sp.GetRequiredService<Supervisor>())
        {
            OperatorPage = sp.GetRequiredService<OperatorHub>(),
        });
        // The demo's peers first: the host starts hosted services in registration order and stops them in reverse,
        // so the broker is up before the node connects and still up while the node drains its alerts.
        builder.Services.AddSingleton<DemoPeersService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DemoPeersService>());
        builder.Services.AddSingleton<EdgeHealth>();
        builder.Services.AddSingleton(sp => new EdgeNodeHealthProbe(sp.GetRequiredService<EdgeNode>(), sp.GetRequiredService<EdgeHealth>(), $"{options.Mqtt.Host}:{options.Mqtt.Port}"));
        builder.Services.AddSingleton(sp => new EdgeNodeGauges(sp.GetRequiredService<EdgeNode>(), sp.GetRequiredService<EdgeHealth>(), options.Outbox.Path, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IMeterFactory>()));
        builder.Services.AddSingleton<ISystemdNotifier>(_ => new SystemdNotifier());
        builder.Services.AddSingleton(sp => new HealthMonitor(sp.GetRequiredService<EdgeNodeHealthProbe>(), sp.GetRequiredService<ISystemdNotifier>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<HealthMonitor>>(), supervisor: sp.GetRequiredService<Supervisor>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HealthMonitor>());
        builder.Services.AddHostedService<EdgeSentryService>();
        builder.Services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(Meters)
            // promtool lints a "_count" suffix on anything but a histogram: these runtime gauges get plain names.
            .AddView("dotnet.assembly.count", new MetricStreamConfiguration { Name = "dotnet.assemblies.loaded" })
            .AddView("dotnet.process.cpu.count", new MetricStreamConfiguration { Name = "dotnet.process.cpus" })
            .AddView("dotnet.timer.count", new MetricStreamConfiguration { Name = "dotnet.timers" })
            .AddPrometheusExporter());

        var app = builder.Build();
        // The gauges observe from construction on; nothing else asks for them.
        app.Services.GetRequiredService<EdgeNodeGauges>();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeSentry.Http");
        // Before routing, so no endpoint (the page, its API, /metrics) is reached without the token when one is required.
        var access = OperatorAccess.Create(options.Http, listen, log);
        app.Use((context, next) => access.InvokeAsync(context, next));
        app.UseRouting();
        app.MapEdgeEndpoints();
        app.MapOperatorPage();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            string urls = string.Join(", ", app.Urls);
            DiagnosticsLog.HttpListening(log, urls);
            OperatorLog.Serving(log, urls, access.Description);
        });
        return app;
    }

    /// <summary>The address <c>http.listen</c> names, for a port-in-use check before anything starts.</summary>
    public static IPEndPoint ListenEndpoint(EdgeSentrySection options) =>
        HttpSection.TryParseListen(options.Http.Listen, out var e) ? e : throw new ArgumentException("invalid http.listen", nameof(options));
}
