namespace EdgeSentry.Tests.Peers;

/// <summary>
/// The ordering rule every centre consumer applies (README, "Centre consumers"), on alerts already deduplicated by
/// messageId: per incident the next expected sequence is applied at once, a lower one is stale and dropped, a higher
/// one is early and held until the gap before it fills. What it applied, held and dropped is kept for the test.
/// </summary>
public sealed class IncidentSequencer
{
    private readonly Dictionary<string, int> _next = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<int, ReceivedAlert>> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _applied = new(StringComparer.Ordinal);

    /// <summary>Alerts that came before an earlier transition of their incident and had to wait.</summary>
    public int HeldEarly { get; private set; }

    /// <summary>Alerts at or below an incident's applied sequence (a distinct messageId carrying an old sequence).</summary>
    public int DroppedStale { get; private set; }

    /// <summary>Alerts still waiting for a transition that never came: a loss.</summary>
    public int StillHeld => _held.Values.Sum(h => h.Count);

    public IReadOnlyDictionary<string, List<int>> Applied => _applied;

    public void Accept(ReceivedAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        int next = _next.GetValueOrDefault(alert.IncidentId, 1);
        if (alert.Sequence < next)
        {
            DroppedStale++;
            return;
        }

        if (alert.Sequence > next)
        {
            HeldEarly++;
            if (!_held.TryGetValue(alert.IncidentId, out var held))
            {
                _held[alert.IncidentId] = held = [];
            }

            held[alert.Sequence] = alert;
            return;
        }

        Apply(alert.IncidentId, alert.Sequence);
        if (_held.TryGetValue(alert.IncidentId, out var waiting))
        {
            while (waiting.Remove(_next[alert.IncidentId], out ReceivedAlert? ready))
            {
                Apply(ready.IncidentId, ready.Sequence);
            }

            if (waiting.Count == 0)
            {
                _held.Remove(alert.IncidentId);
            }
        }
    }

    private void Apply(string incidentId, int sequence)
    {
        if (!_applied.TryGetValue(incidentId, out var applied))
        {
            _applied[incidentId] = applied = [];
        }

        applied.Add(sequence);
        _next[incidentId] = sequence + 1;
    }
}
