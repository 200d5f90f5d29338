using System.Diagnostics;

namespace EdgeSentry.Tests.Peers;

/// <summary>Runs the real edgesentry executable (built next to the tests) as a user would.</summary>
public static class CliProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Task<Result> RunEdgeSentryAsync(params string[] args) =>
        RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "edgesentry.dll"), .. args]);

    public static async Task<Result> RunAsync(string executable, IEnumerable<string> args, int capSeconds = 300)
    {
        var psi = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = SharedPaths.RepoRoot,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cap = new CancellationTokenSource(TimeSpan.FromSeconds(capSeconds));
        try
        {
            await p.WaitForExitAsync(cap.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{executable} {string.Join(' ', args)} did not finish within {capSeconds} s");
        }

        return new Result(p.ExitCode, await stdout, await stderr);
    }
}
