using System.Collections.Concurrent;
using EdgeSentry.Configuration;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Operator;

/// <summary>
/// What the operator's page reads from the running edge: a <see cref="CameraTap"/> per running camera (attached by
/// the edge node when it starts a camera, replaced on reconfiguration), the <see cref="IncidentFeed"/> and the
/// <see cref="ConfigEditor"/>.
/// </summary>
public sealed class OperatorHub : IDisposable
{
    private readonly ConcurrentDictionary<string, CameraTap> _taps = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;

    public OperatorHub(TimeProvider timeProvider, ILoggerFactory loggerFactory, string? configPath)
    {
        _time = timeProvider;
        _loggers = loggerFactory;
        Incidents = new IncidentFeed(timeProvider);
        Editor = new ConfigEditor(configPath, loggerFactory.CreateLogger<ConfigEditor>());
    }

    public IncidentFeed Incidents { get; }

    public ConfigEditor Editor { get; }

    public TimeProvider Time => _time;

    /// <summary>The hook for a starting camera: its tap, replacing the one of an earlier configuration.</summary>
    public CameraTap Attach(CameraSection camera, IReadOnlyList<string> labels, float detectorThreshold)
    {
        var tap = new CameraTap(camera, labels, detectorThreshold, _time, _loggers.CreateLogger<CameraTap>());
        _taps[camera.Id] = tap;
        return tap;
    }

    /// <summary>The camera is gone (unless a newer tap already took its place).</summary>
    public void Detach(string cameraId, CameraTap? tap)
    {
        if (tap is not null)
        {
            _taps.TryRemove(KeyValuePair.Create(cameraId, tap));
            tap.Dispose();
        }
    }

    public CameraTap? Tap(string cameraId) => _taps.GetValueOrDefault(cameraId);

    /// <summary>With the host, after the edge node has stopped its cameras.</summary>
    public void Dispose()
    {
        foreach (var tap in _taps.Values)
        {
            tap.Dispose();
        }

        Editor.Dispose();
    }
}
