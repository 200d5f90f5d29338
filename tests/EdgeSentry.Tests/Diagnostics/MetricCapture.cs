using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using EdgeSentry.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeSentry.Tests.Diagnostics;

/// <summary>
/// A real <see cref="MeterListener"/> on one test's own <see cref="EdgeSentryMetrics"/> (its own meter from
/// its own factory, so tests running in parallel never see each other's measurements). Sums long counters
/// by instrument and camera tag and signals waiters as measurements arrive.
/// </summary>
public sealed class MetricCapture : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Instrument, string? Camera), long> _sums = new();
    private readonly Lock _gate = new();
    private readonly List<(Func<bool> Condition, TaskCompletionSource Done)> _waiters = [];

    public MetricCapture()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        Metrics = new EdgeSentryMetrics(_services.GetRequiredService<IMeterFactory>());
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, Metrics.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    public EdgeSentryMetrics Metrics { get; }

    /// <summary>The sum recorded on <paramref name="instrument"/> with camera=<paramref name="camera"/>.</summary>
    public long Sum(string instrument, string camera) => _sums.TryGetValue((instrument, camera), out long v) ? v : 0;

    /// <summary>The sum recorded on <paramref name="instrument"/>, whatever its tags.</summary>
    public long Sum(string instrument) => _sums.Where(s => s.Key.Instrument == instrument).Sum(s => s.Value);

    /// <summary>Completes once <paramref name="condition"/> holds (checked after each measurement); <paramref name="cap"/> is a hang guard.</summary>
    public Task WaitUntilAsync(Func<bool> condition, TimeSpan cap)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiters.Add((condition, done));
        }

        if (condition())
        {
            done.TrySetResult();
        }

        return done.Task.WaitAsync(cap);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? camera = null;
        foreach (var t in tags)
        {
            if (t.Key == "camera")
            {
                camera = t.Value as string;
            }
        }

        _sums.AddOrUpdate((instrument.Name, camera), value, (_, old) => old + value);
        (Func<bool> Condition, TaskCompletionSource Done)[] waiters;
        lock (_gate)
        {
            waiters = [.. _waiters];
        }

        foreach (var (condition, done) in waiters)
        {
            if (!done.Task.IsCompleted && condition())
            {
                done.TrySetResult();
            }
        }
    }
}
