namespace EdgeSentry.Routing;

/// <summary>
/// Chooses the unit for an incident: the nearest on-duty unit not tried yet in the incident's own cell, else in a
/// neighbouring cell, else none. Units with a known position come first by distance; ties and unknown positions go
/// by id, so the choice is stable.
/// </summary>
public sealed class UnitSelector
{
    private readonly GridMap _map;
    private readonly UnitRoster _roster;

    public UnitSelector(GridMap map, UnitRoster roster)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(roster);
        _map = map;
        _roster = roster;
    }

    /// <summary>The chosen unit, its distance (null without positions) and why; null when no unit qualifies.</summary>
    public (string UnitId, double? DistanceMetres, DispatchReason Reason)? Choose(GridCell cell, GeoPoint position, IReadOnlySet<string> tried, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentNullException.ThrowIfNull(tried);
        if (Nearest(position, tried, now, u => u.GridId == cell.Id) is { } own)
        {
            return (own.Id, own.Distance, DispatchReason.NearestInCell);
        }

        var around = _map.Neighbours(cell.Id);
        return Nearest(position, tried, now, u => around.Contains(u.GridId, StringComparer.Ordinal)) is { } next
            ? (next.Id, next.Distance, DispatchReason.NeighbourCell)
            : null;
    }

    private (string Id, double? Distance)? Nearest(GeoPoint position, IReadOnlySet<string> tried, DateTimeOffset now, Func<UnitDefinition, bool> where)
    {
        (string Id, double? Distance)? best = null;
        foreach (UnitDefinition unit in _roster.Units)
        {
            if (!where(unit) || tried.Contains(unit.Id) || !_roster.IsOnDuty(unit.Id, now))
            {
                continue;
            }

            double? distance = _roster.PositionOf(unit.Id) is { } at ? position.DistanceMetres(at) : null;
            if (best is not { } b
                || (distance is { } d && (b.Distance is not { } bd || d < bd || (d == bd && string.CompareOrdinal(unit.Id, b.Id) < 0)))
                || (distance is null && b.Distance is null && string.CompareOrdinal(unit.Id, b.Id) < 0))
            {
                best = (unit.Id, distance);
            }
        }

        return best;
    }
}
