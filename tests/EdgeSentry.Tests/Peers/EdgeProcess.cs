using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace EdgeSentry.Tests.Peers;

/// <summary>
/// The real <c>edgesentry run --config FILE</c> as a child process (HTTP on the port it picks: <c>:0</c>), from the
/// build output beside the tests or from another copy of it. Its stdout and stderr are collected in <see cref="Output"/>.
/// </summary>
public sealed partial class EdgeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private EdgeProcess(Process process) => _process = process;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The operator page's base address, from the start-up log line.</summary>
    public Uri? BaseAddress => PageLine().Match(Output) is { Success: true } m ? new Uri(m.Groups[1].Value + "/") : null;

    /// <summary>
    /// Starts the service. <paramref name="application"/> is the folder holding edgesentry.dll (the build output
    /// beside the tests unless a test runs a modified copy).
    /// </summary>
    public static EdgeProcess Start(string configPath, IReadOnlyDictionary<string, string>? environment = null, string? application = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(configPath)!,
        };
        psi.ArgumentList.Add(Path.Combine(application ?? AppContext.BaseDirectory, "edgesentry.dll"));
        psi.ArgumentList.Add("run");
        psi.ArgumentList.Add("--config");
        psi.ArgumentList.Add(configPath);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        var p = Process.Start(psi)!;
        var edge = new EdgeProcess(p);
        p.OutputDataReceived += (_, e) => edge.Append(e.Data);
        p.ErrorDataReceived += (_, e) => edge.Append(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return edge;
    }

    /// <summary>Waits for a line containing <paramref name="text"/>; fails early if the edge exits.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan cap)
    {
        using var guard = new CancellationTokenSource(cap);
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"edgesentry exited ({_process.ExitCode}) before '{text}':\n{Output}");
            }

            try
            {
                await Task.Delay(100, guard.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"edgesentry never logged '{text}' within {cap.TotalSeconds} s:\n{Output}");
            }
        }
    }

    /// <summary>
    /// SIGKILL (Process.Kill on Linux) of the service and everything it started (ffmpeg): no shutdown code runs,
    /// as in a crash or a power cut. Returns the exit code.
    /// </summary>
    public async Task<int> KillAsync(CancellationToken cancellationToken = default)
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"Operator page on (http://\S+)/ ;")]
    private static partial Regex PageLine();
}
