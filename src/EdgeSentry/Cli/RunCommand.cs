using System.CommandLine;
using EdgeSentry.Configuration;
using EdgeSentry.Diagnostics;
using EdgeSentry.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Cli;

/// <summary><c>edgesentry run [--config FILE]</c>: the service on the Generic Host.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c") { Description = "Configuration file (JSON). Without it: the built-in demo (sample footage as RTSP cameras, a local broker)." };
        var run = new Command("run", "Run the service.") { config };
        run.SetAction(async (parse, ct) =>
        {
            EdgeSentryOptions options;
            try
            {
                options = ServiceComposition.LoadConfiguration(parse.GetValue(config));
            }
            catch (ConfigurationException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }

            // Before the ONNX Runtime, libmosquitto and SQLite threads exist, so their arenas follow it.
            Native.Libc.GlibcMalloc.TuneForService();
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
            builder.Services.AddSingleton(options);
            builder.Services.AddSingleton(TimeProvider.System);
            builder.Services.AddMetrics();
            builder.Services.AddSingleton<EdgeSentryMetrics>();
            builder.Services.AddSingleton(sp => new EdgeNode(options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<EdgeSentryMetrics>(), sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
            builder.Services.AddHostedService<EdgeSentryService>();
            using var host = builder.Build();
            var node = host.Services.GetRequiredService<EdgeNode>();
            string? configPath = parse.GetValue(config);
            using var watcher = configPath is null ? null : new ConfigFileWatcher(configPath, TimeProvider.System, TimeSpan.FromSeconds(1));
            var reloadLog = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeSentry.Configuration");
            if (watcher is not null)
            {
                watcher.Changed += () => _ = ReloadAsync(node, configPath!, reloadLog);
            }

            try
            {
                await host.RunAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Console.Error.WriteLine("edgesentry: " + Capture.UrlRedactor.Redact(e.Message));
                return 1;
            }

            var started = node.Started;
            if (started.IsFaulted)
            {
                Console.Error.WriteLine("edgesentry: could not start: " + Capture.UrlRedactor.Redact(started.Exception!.GetBaseException().Message));
                return 1;
            }

            return 0;
        });
        return run;
    }

    /// <summary>Loads the changed file; a file with errors is reported and the running configuration stays.</summary>
    private static async Task ReloadAsync(EdgeNode node, string path, ILogger logger)
    {
        try
        {
            await node.ReloadAsync(ServiceComposition.LoadConfiguration(path));
        }
        catch (ConfigurationException e)
        {
            ConfigurationLog.ReloadRejected(logger, string.Join("; ", e.Errors));
        }
        catch (OperationCanceledException)
        {
            // Shutting down: nothing to reload into.
        }
    }
}
