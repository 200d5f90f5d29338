namespace EdgeSentry.Diagnostics;

/// <summary>
/// The edge's one health value. Components report their own condition (a camera, the broker connection,
/// the detector, later the supervisor and the outbox writer); the worst reported status wins and every
/// component that is not ok is listed with its reason. Thread-safe; <see cref="Changed"/> is raised
/// outside the lock whenever the report differs from the previous one.
/// </summary>
public sealed class EdgeHealth
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, HealthCondition> _conditions = new(StringComparer.Ordinal);
    private EdgeHealthReport _current = EdgeHealthReport.Healthy;

    /// <summary>Raised with the new report after a report that changed the overall picture.</summary>
    public event Action<EdgeHealthReport>? Changed;

    public EdgeHealthReport Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>Records <paramref name="component"/>'s condition, replacing what it reported before.</summary>
    public void Report(string component, HealthStatus status, string? reason = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(component);
        Update(d => d[component] = new HealthCondition(component, status, status == HealthStatus.Ok ? null : reason));
    }

    /// <summary>Forgets a component that no longer exists (a camera removed by a reload).</summary>
    public void Remove(string component) => Update(d => d.Remove(component));

    /// <summary>Forgets every component whose name starts with <paramref name="prefix"/> except those in <paramref name="keep"/>.</summary>
    public void RemoveOthers(string prefix, IReadOnlySet<string> keep) =>
        Update(d =>
        {
            foreach (var name in d.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && !keep.Contains(k)).ToList())
            {
                d.Remove(name);
            }
        });

    private void Update(Action<SortedDictionary<string, HealthCondition>> change)
    {
        EdgeHealthReport next;
        lock (_gate)
        {
            change(_conditions);
            var problems = _conditions.Values.Where(c => c.Status != HealthStatus.Ok).ToList();
            next = new EdgeHealthReport(problems.Count == 0 ? HealthStatus.Ok : problems.Max(p => p.Status), problems);
            if (next.Equals(_current))
            {
                return;
            }

            _current = next;
        }

        Changed?.Invoke(next);
    }
}
