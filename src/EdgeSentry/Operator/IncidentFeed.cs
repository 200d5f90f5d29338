using System.Threading.Channels;
using EdgeSentry.Alerts;
using EdgeSentry.Rules;

namespace EdgeSentry.Operator;

/// <summary>
/// The incident transitions the alert line has committed (the ones MQTT publishes), for the page's live feed:
/// the last <see cref="Capacity"/> transitions, the snapshots of the last <see cref="SnapshotCapacity"/> started
/// incidents, and one bounded channel per open page (a page that stops reading loses its oldest items, never the
/// alert line's time: <see cref="Publish"/> never waits).
/// </summary>
public sealed class IncidentFeed
{
    public const int Capacity = 200;
    public const int SnapshotCapacity = 40;
    private const int SubscriberQueue = 256;

    private readonly Lock _gate = new();
    private readonly Queue<FeedItem> _recent = new(Capacity);
    private readonly Dictionary<string, byte[]> _snapshots = new(StringComparer.Ordinal);
    private readonly Queue<string> _snapshotOrder = new(SnapshotCapacity);
    private readonly List<Channel<FeedItem>> _subscribers = [];
    private readonly TimeProvider _time;
    private long _seq;

    public IncidentFeed(TimeProvider timeProvider) => _time = timeProvider;

    public int Subscribers
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>The hook (alert line, after the transition is stored): records it and tells every open page.</summary>
    public void Publish(IncidentEvent incident, IncidentSnapshot? snapshot)
    {
        lock (_gate)
        {
            if (snapshot is not null && !_snapshots.ContainsKey(incident.IncidentId))
            {
                if (_snapshotOrder.Count == SnapshotCapacity)
                {
                    _snapshots.Remove(_snapshotOrder.Dequeue());
                }

                _snapshots[incident.IncidentId] = snapshot.Data;
                _snapshotOrder.Enqueue(incident.IncidentId);
            }

            var item = new FeedItem(
                ++_seq, incident.IncidentId, incident.Sequence, incident.Transition.ToString().ToLowerInvariant(), incident.Kind, incident.RuleId,
                incident.CameraId, incident.ZoneId, incident.LineId, incident.Severity, incident.Label, MathF.Round(incident.Score, 3), incident.TrackId,
                incident.ObjectCount, incident.StartedAt.UtcDateTime.ToString("O"), incident.At.UtcDateTime.ToString("O"), incident.DurationSeconds,
                _snapshots.ContainsKey(incident.IncidentId), _time.GetUtcNow().UtcDateTime.ToString("O"));
            if (_recent.Count == Capacity)
            {
                _recent.Dequeue();
            }

            _recent.Enqueue(item);
            foreach (var s in _subscribers)
            {
                s.Writer.TryWrite(item);
            }
        }
    }

    public byte[]? Snapshot(string incidentId)
    {
        lock (_gate)
        {
            return _snapshots.GetValueOrDefault(incidentId);
        }
    }

    /// <summary>The recent transitions and a reader of everything after them (no gap, no repeat). Dispose to leave.</summary>
    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<FeedItem>(new BoundedChannelOptions(SubscriberQueue)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = false,
        });
        lock (_gate)
        {
            _subscribers.Add(channel);
            return new Subscription(this, channel, [.. _recent]);
        }
    }

    private void Leave(Channel<FeedItem> channel)
    {
        lock (_gate)
        {
            _subscribers.Remove(channel);
        }

        channel.Writer.TryComplete();
    }

    /// <summary>One open page's view of the feed.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly IncidentFeed _feed;
        private readonly Channel<FeedItem> _channel;

        internal Subscription(IncidentFeed feed, Channel<FeedItem> channel, IReadOnlyList<FeedItem> recent)
        {
            _feed = feed;
            _channel = channel;
            Recent = recent;
        }

        public IReadOnlyList<FeedItem> Recent { get; }

        public ChannelReader<FeedItem> Reader => _channel.Reader;

        public void Dispose() => _feed.Leave(_channel);
    }
}
