using System.Threading.Channels;
using EdgeSentry.Alerts;
using EdgeSentry.Routing;
using EdgeSentry.Rules;

namespace EdgeSentry.Operator;

/// <summary>
/// The incident transitions the alert line has committed (the ones MQTT publishes), for the page's live feed:
/// the last <see cref="Capacity"/> transitions, the snapshots of the last <see cref="SnapshotCapacity"/> started
/// incidents, the latest dispatch / closed-loop state of the last <see cref="Capacity"/> routed incidents (from the
/// router, after it stored the change), and one bounded channel per open page (a page that stops reading loses its oldest items, never the
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
    private readonly Dictionary<string, LoopItem> _loops = new(StringComparer.Ordinal);
    private readonly Queue<string> _loopOrder = new(Capacity);
    private readonly List<Channel<FeedEvent>> _subscribers = [];
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

    /// <summary>The hook (router, after a loop change is stored): keeps the incident's latest state and tells every open page.</summary>
    public void PublishLoop(DispatchView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        lock (_gate)
        {
            var item = new LoopItem(
                ++_seq, view.IncidentId, LoopWire.Name(view.State), view.Level, view.UnitId, view.DistanceMetres is { } d ? Math.Round(d, 1) : null,
                LoopWire.Name(view.Reason), view.Escalations, view.Tried, view.AcceptBy?.UtcDateTime.ToString("O"),
                view.State == LoopState.Dispatched && view.AcceptBy is not null, view.Ended, view.EndReason is { } e ? LoopWire.Name(e) : null,
                _time.GetUtcNow().UtcDateTime.ToString("O"));
            if (!_loops.ContainsKey(view.IncidentId))
            {
                if (_loopOrder.Count == Capacity)
                {
                    _loops.Remove(_loopOrder.Dequeue());
                }

                _loopOrder.Enqueue(view.IncidentId);
            }

            _loops[view.IncidentId] = item;
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
        var channel = Channel.CreateBounded<FeedEvent>(new BoundedChannelOptions(SubscriberQueue)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = false,
        });
        lock (_gate)
        {
            _subscribers.Add(channel);
            return new Subscription(this, channel, [.. _recent.Concat<FeedEvent>(_loops.Values).OrderBy(e => e.Seq)]);
        }
    }

    private void Leave(Channel<FeedEvent> channel)
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
        private readonly Channel<FeedEvent> _channel;

        internal Subscription(IncidentFeed feed, Channel<FeedEvent> channel, IReadOnlyList<FeedEvent> recent)
        {
            _feed = feed;
            _channel = channel;
            Recent = recent;
        }

        public IReadOnlyList<FeedEvent> Recent { get; }

        public ChannelReader<FeedEvent> Reader => _channel.Reader;

        public void Dispose() => _feed.Leave(_channel);
    }
}
