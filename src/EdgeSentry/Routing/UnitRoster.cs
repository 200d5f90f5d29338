namespace EdgeSentry.Routing;

/// <summary>
/// The configured units and their live statuses. A unit is on duty only while its latest status says so and is
/// younger than the stale age; without a live position the configured one is used.
/// Not thread-safe: <see cref="IncidentRouter"/> serialises access.
/// </summary>
public sealed class UnitRoster
{
    private readonly Dictionary<string, UnitDefinition> _units;
    private readonly Dictionary<string, UnitStatus> _statuses = new(StringComparer.Ordinal);
    private readonly TimeSpan _staleAfter;

    public UnitRoster(IEnumerable<UnitDefinition> units, TimeSpan staleAfter)
    {
        ArgumentNullException.ThrowIfNull(units);
        _units = new Dictionary<string, UnitDefinition>(StringComparer.Ordinal);
        foreach (UnitDefinition unit in units)
        {
            Alerts.AlertTopics.Segment(unit.Id, "unit id");
            if (!_units.TryAdd(unit.Id, unit))
            {
                throw new ArgumentException($"unit id '{unit.Id}' appears twice", nameof(units));
            }
        }

        _staleAfter = staleAfter;
    }

    public IReadOnlyCollection<UnitDefinition> Units => _units.Values;

    public bool IsKnown(string unitId) => _units.ContainsKey(unitId);

    public UnitStatus? StatusOf(string unitId) => _statuses.TryGetValue(unitId, out UnitStatus? s) ? s : null;

    /// <summary>
    /// Takes a status unless it is older than the one held (a late replay). The same status again is a duplicate:
    /// the broker re-sends every retained status after each reconnect.
    /// </summary>
    internal InputOutcome Apply(string unitId, UnitStatus status)
    {
        if (_statuses.TryGetValue(unitId, out UnitStatus? held))
        {
            if (status == held)
            {
                return InputOutcome.Duplicate;
            }

            if (status.At < held.At)
            {
                return InputOutcome.OutOfOrder;
            }
        }

        _statuses[unitId] = status;
        return InputOutcome.Accepted;
    }

    /// <summary>An empty retained message deletes the status: the unit is off duty until it speaks again.</summary>
    internal void Clear(string unitId) => _statuses.Remove(unitId);

    public bool IsOnDuty(string unitId, DateTimeOffset now) =>
        _statuses.TryGetValue(unitId, out UnitStatus? s) && s.OnDuty && now - s.At <= _staleAfter;

    public GeoPoint? PositionOf(string unitId) =>
        _statuses.TryGetValue(unitId, out UnitStatus? s) && s.Position is { } live ? live
        : _units.TryGetValue(unitId, out UnitDefinition? u) ? u.Position : null;
}
