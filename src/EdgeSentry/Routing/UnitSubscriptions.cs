using EdgeSentry.Alerts;

namespace EdgeSentry.Routing;

/// <summary>
/// The unit topics one edge is subscribed to. <see cref="Apply"/> sets them at start (made on every reconnect);
/// <see cref="ApplyAsync"/> moves them when the served cells change on a configuration reload.
/// </summary>
public sealed class UnitSubscriptions : IDisposable
{
    private readonly MqttConnection _connection;
    private readonly SemaphoreSlim _changing = new(1, 1);
    private readonly Lock _lock = new();
    private readonly HashSet<string> _current = new(StringComparer.Ordinal);

    public UnitSubscriptions(MqttConnection connection) => _connection = connection ?? throw new ArgumentNullException(nameof(connection));

    public IReadOnlyCollection<string> Current
    {
        get
        {
            lock (_lock)
            {
                return [.. _current];
            }
        }
    }

    /// <summary>The first set: registered for every (re)connect without waiting for a broker.</summary>
    public void Apply(IEnumerable<string> topics)
    {
        lock (_lock)
        {
            foreach (string topic in topics.Where(t => !_current.Contains(t)))
            {
                _connection.SubscribeOnConnect(topic, 1);
                _current.Add(topic);
            }
        }
    }

    /// <summary>Subscribes to topics new in <paramref name="topics"/> and unsubscribes from those no longer in it.</summary>
    public async Task ApplyAsync(IEnumerable<string> topics, CancellationToken cancellationToken = default)
    {
        var wanted = topics.ToHashSet(StringComparer.Ordinal);
        await _changing.WaitAsync(cancellationToken);
        try
        {
            List<string> removed;
            lock (_lock)
            {
                removed = _current.Where(t => !wanted.Contains(t)).ToList();
            }

            foreach (string topic in removed)
            {
                await _connection.UnsubscribeAsync(topic, cancellationToken);
                lock (_lock)
                {
                    _current.Remove(topic);
                }
            }

            List<string> added;
            lock (_lock)
            {
                added = wanted.Where(t => !_current.Contains(t)).ToList();
            }

            foreach (string topic in added)
            {
                _connection.SubscribeOnConnect(topic, 1);
                lock (_lock)
                {
                    _current.Add(topic);
                }
            }
        }
        finally
        {
            _changing.Release();
        }
    }

    public void Dispose() => _changing.Dispose();
}
