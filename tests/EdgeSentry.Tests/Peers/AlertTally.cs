using System.Text.Json;
using EdgeSentry.Alerts;

namespace EdgeSentry.Tests.Peers;

/// <summary>
/// Every alert that centre consumers received, in arrival order across them, and the dedupe rule centre
/// services apply (README, "Fleet topology"): the first arrival of a messageId counts, later ones are duplicates.
/// Waits are event-driven: each arrival wakes the waiters, and the caller's token is only a hang guard.
/// </summary>
public sealed class AlertTally
{
    private readonly Lock _gate = new();
    private readonly List<ReceivedAlert> _arrivals = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _arrivals.Count;
            }
        }
    }

    public IReadOnlyList<ReceivedAlert> Snapshot()
    {
        lock (_gate)
        {
            return [.. _arrivals];
        }
    }

    /// <summary>Parses an incident payload (messageId, edgeId, gridId, cameraId, incidentId, sequence) and records it with its topic.</summary>
    public void Add(string consumer, MqttMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        using JsonDocument json = JsonDocument.Parse(message.Payload);
        JsonElement root = json.RootElement;
        var alert = new ReceivedAlert(
            consumer,
            message.Topic,
            root.GetProperty("messageId").GetString()!,
            root.GetProperty("edgeId").GetString()!,
            root.GetProperty("gridId").GetString()!,
            root.GetProperty("cameraId").GetString()!,
            root.GetProperty("incidentId").GetString()!,
            root.GetProperty("sequence").GetInt32());
        TaskCompletionSource changed;
        lock (_gate)
        {
            _arrivals.Add(alert);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>Completes once every one of <paramref name="messageIds"/> has arrived at least once.</summary>
    public async Task WaitForAllAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        var missing = new HashSet<string>(messageIds, StringComparer.Ordinal);
        int seen = 0;
        while (true)
        {
            TaskCompletionSource changed;
            lock (_gate)
            {
                for (; seen < _arrivals.Count; seen++)
                {
                    missing.Remove(_arrivals[seen].MessageId);
                }

                if (missing.Count == 0)
                {
                    return;
                }

                changed = _changed;
            }

            try
            {
                await changed.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw new Xunit.Sdk.XunitException($"{missing.Count} of {messageIds.Count} alerts never reached the centre (first missing: {missing.First()})");
            }
        }
    }

    /// <summary>Completes once at least <paramref name="count"/> alerts (duplicates included) have arrived.</summary>
    public async Task WaitForCountAsync(int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            TaskCompletionSource changed;
            lock (_gate)
            {
                if (_arrivals.Count >= count)
                {
                    return;
                }

                changed = _changed;
            }

            await changed.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Arrivals after dedupe by messageId: the first arrival of each, in arrival order.</summary>
    public IReadOnlyList<ReceivedAlert> Deduplicated()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return [.. Snapshot().Where(a => seen.Add(a.MessageId))];
    }
}
