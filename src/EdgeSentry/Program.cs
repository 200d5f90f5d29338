using System.CommandLine;
using EdgeSentry.Cli;

namespace EdgeSentry;

public static class Program
{
    public static Task<int> Main(string[] args)
    {
        var root = new RootCommand("EdgeSentry: video analytics at the edge for AI patrol alerts (RTSP -> ONNX detection -> tracking -> rules -> MQTT).");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(DetectCommand.Create());
        root.Subcommands.Add(ConfigCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(PlanCommand.Create());
        root.Subcommands.Add(HealthCommand.Create());
        root.Subcommands.Add(ProvidersCommand.Create());
        return root.Parse(args).InvokeAsync();
    }
}
