using System.CommandLine;
using EdgeSentry.Configuration;

namespace EdgeSentry.Cli;

/// <summary><c>edgesentry config check FILE</c>: validate a configuration and print every error at once.</summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var config = new Command("config", "Configuration tools.");
        var check = new Command("check", "Validate a configuration file and print every error at once (exit 0 when valid).");
        var file = new Argument<string>("FILE") { Description = "The JSON configuration file ('-' or 'default' for the built-in default)." };
        check.Arguments.Add(file);
        check.SetAction(parse =>
        {
            string f = parse.GetValue(file)!;
            string? path = f is "-" or "default" ? null : f;
            try
            {
                var options = ServiceConfiguration.Load(path);
                Console.Out.WriteLine($"{path ?? ConfigLoader.BuiltInName}: valid ({options.Cameras.Count} camera(s), model {Path.GetFileName(options.Detector.Model)})");
                return 0;
            }
            catch (ConfigurationException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
        });
        config.Subcommands.Add(check);
        return config;
    }
}
