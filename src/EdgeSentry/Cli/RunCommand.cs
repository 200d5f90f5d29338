using System.CommandLine;
using EdgeSentry.Configuration;
using EdgeSentry.Http;
using EdgeSentry.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Cli;

/// <summary><c>edgesentry run [--config FILE]</c>: the service, with its HTTP endpoints (see <see cref="EdgeApplication"/>).</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c") { Description = "Configuration file (JSON). Without it: the built-in demo (sample footage as RTSP cameras, a local broker)." };
        var run = new Command("run", "Run the service.") { config };
        run.SetAction(async (parse, ct) =>
        {
            string? requested = parse.GetValue(config);
            if (requested is not null && !File.Exists(requested))
            {
                // The container image's command names a file that must be mounted: say exactly that.
                Console.Error.WriteLine($"edgesentry: configuration file '{Path.GetFullPath(requested)}' not found. Mount your configuration there "
                    + $"(docker run -v /path/to/edgesentry.json:{Path.GetFullPath(requested)}:ro ...) or pass --config FILE; 'edgesentry config check FILE' validates one.");
                return 2;
            }

            EdgeSentrySection options;
            try
            {
                options = ServiceConfiguration.Load(parse.GetValue(config));
            }
            catch (ConfigurationException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }

            // Before the ONNX Runtime, libmosquitto and SQLite threads exist, so their arenas follow it.
            Native.Libc.GlibcMalloc.TuneForService();
            var listen = EdgeApplication.ListenEndpoint(options);
            if (listen.Port != 0 && !PortIsFree(listen))
            {
                Console.Error.WriteLine($"edgesentry: http.listen {options.Http.Listen}: the address is already in use (another edgesentry?); choose another \"http\": {{ \"listen\": \"address:port\" }}");
                return 1;
            }

            string? configPath = parse.GetValue(config);
            WebApplication built;
            try
            {
                built = EdgeApplication.Build(options, configPath: configPath);
            }
            catch (ConfigurationException e)
            {
                // The HTTP token (issue 13) is resolved here: an unset environment variable is a start-up error.
                Console.Error.WriteLine(e.Message);
                return 2;
            }

            await using var host = built;
            var node = host.Services.GetRequiredService<EdgeNode>();
            using var watcher = configPath is null ? null : new ConfigFileWatcher(configPath, TimeProvider.System, TimeSpan.FromSeconds(1));
            var reloadLog = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeSentry.Configuration");
            if (watcher is not null)
            {
                watcher.Changed += () => _ = ReloadAsync(node, configPath!, reloadLog);
            }

            try
            {
                await Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.RunAsync(host, ct);
            }
            catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                Console.Error.WriteLine($"edgesentry: http.listen {options.Http.Listen}: the address is already in use; choose another \"http\": {{ \"listen\": \"address:port\" }}");
                return 1;
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

    /// <summary>A clear start-up error beats Kestrel's bind failure after the cameras have started.</summary>
    private static bool PortIsFree(System.Net.IPEndPoint endpoint)
    {
        try
        {
            var probe = new System.Net.Sockets.TcpListener(endpoint);
            probe.Start();
            probe.Stop();
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>Loads the changed file; a file with errors is reported and the running configuration stays.</summary>
    private static async Task ReloadAsync(EdgeNode node, string path, ILogger logger)
    {
        try
        {
            await node.ReloadAsync(ServiceConfiguration.Load(path));
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
