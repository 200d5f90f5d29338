using System.Runtime.InteropServices;

namespace EdgeSentry.Configuration;

/// <summary>
/// Signals a reload when the configuration file changes (debounced: editors write in several steps) or when
/// the process receives SIGHUP, the usual "reload" for a service.
/// </summary>
public sealed class ConfigFileWatcher : IDisposable
{
    private readonly FileSystemWatcher _watcher;
    private readonly PosixSignalRegistration? _hangup;
    private readonly ITimer _debounce;
    private readonly TimeSpan _quiet;

    public ConfigFileWatcher(string path, TimeProvider timeProvider, TimeSpan quiet)
    {
        var full = Path.GetFullPath(path);
        _quiet = quiet;
        _debounce = timeProvider.CreateTimer(_ => Changed?.Invoke(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(full)!, Path.GetFileName(full))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += (_, _) => Poke();
        _watcher.Created += (_, _) => Poke();
        _watcher.Renamed += (_, _) => Poke();
        _watcher.EnableRaisingEvents = true;
        if (!OperatingSystem.IsWindows())
        {
            _hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx =>
            {
                // Handled: SIGHUP means "reload" here, not "terminate".
                ctx.Cancel = true;
                Poke();
            });
        }
    }

    /// <summary>Raised once the file has been quiet for the debounce period after a change, or on SIGHUP.</summary>
    public event Action? Changed;

    private void Poke() => _debounce.Change(_quiet, Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _watcher.Dispose();
        _hangup?.Dispose();
        _debounce.Dispose();
    }
}
