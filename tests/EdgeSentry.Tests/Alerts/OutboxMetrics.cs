using System.Diagnostics.Metrics;
using EdgeSentry.Alerts;

namespace EdgeSentry.Tests.Alerts;

/// <summary>
/// A real <see cref="MeterListener"/> on one outbox's own meter: sums its long counters by one tag value and counts
/// the measurements of its histograms, so tests running in parallel never see each other's outboxes.
/// </summary>
public sealed class OutboxMetrics : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Name, KeyValuePair<string, object?>[] Tags, double Value)> _seen = [];

    public OutboxMetrics(AlertOutbox outbox)
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, outbox.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument.Name, tags, value));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument.Name, tags, value));
        _listener.Start();
    }

    /// <summary>The sum recorded on <paramref name="name"/> with <paramref name="tag"/>=<paramref name="value"/>.</summary>
    public long Sum(string name, string tag, string value)
    {
        lock (_seen)
        {
            return (long)_seen.Where(s => s.Name == name && s.Tags.Any(t => t.Key == tag && Equals(t.Value, value))).Sum(s => s.Value);
        }
    }

    /// <summary>The sum recorded on <paramref name="name"/>, whatever its tags.</summary>
    public long Sum(string name)
    {
        lock (_seen)
        {
            return (long)_seen.Where(s => s.Name == name).Sum(s => s.Value);
        }
    }

    /// <summary>Every value recorded on <paramref name="name"/> (a histogram's measurements), in order.</summary>
    public IReadOnlyList<double> Values(string name)
    {
        lock (_seen)
        {
            return [.. _seen.Where(s => s.Name == name).Select(s => s.Value)];
        }
    }

    /// <summary>Reads the observable instruments (the depth gauge) now; <see cref="Last"/> then has their values.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    /// <summary>The last value recorded on <paramref name="name"/> (a gauge after <see cref="Observe"/>), or null.</summary>
    public double? Last(string name)
    {
        lock (_seen)
        {
            var recorded = _seen.Where(s => s.Name == name).ToList();
            return recorded.Count == 0 ? null : recorded[^1].Value;
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(string name, ReadOnlySpan<KeyValuePair<string, object?>> tags, double value)
    {
        lock (_seen)
        {
            _seen.Add((name, tags.ToArray(), value));
        }
    }
}
