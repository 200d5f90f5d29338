using System.Text.Json;

namespace EdgeSentry.Routing;

/// <summary>One grid cell: its polygons (outer ring first, then holes; coordinates as GeoJSON lon/lat) and who it belongs to.</summary>
public sealed class GridCell
{
    internal GridCell(string id, string name, string? community, string? street, IReadOnlyList<GeoPoint[][]> polygons)
    {
        Id = id;
        Name = name;
        Community = community;
        Street = street;
        Polygons = polygons;
        var vertices = polygons.SelectMany(p => p[0]).ToList();
        Centre = new GeoPoint(vertices.Average(v => v.Lat), vertices.Average(v => v.Lon));
        MinLat = vertices.Min(v => v.Lat);
        MaxLat = vertices.Max(v => v.Lat);
        MinLon = vertices.Min(v => v.Lon);
        MaxLon = vertices.Max(v => v.Lon);
    }

    public string Id { get; }
    public string Name { get; }
    public string? Community { get; }
    /// <summary>The street office level-3 incidents escalate to; becomes a topic level.</summary>
    public string? Street { get; }
    public IReadOnlyList<GeoPoint[][]> Polygons { get; }
    /// <summary>The mean of the outer vertices: where a camera placed only by grid id is assumed to be.</summary>
    public GeoPoint Centre { get; }
    internal double MinLat { get; }
    internal double MaxLat { get; }
    internal double MinLon { get; }
    internal double MaxLon { get; }

    public bool Contains(GeoPoint point)
    {
        if (point.Lat < MinLat || point.Lat > MaxLat || point.Lon < MinLon || point.Lon > MaxLon)
        {
            return false;
        }

        foreach (GeoPoint[][] polygon in Polygons)
        {
            if (InRing(polygon[0], point) && !polygon.Skip(1).Any(hole => InRing(hole, point)))
            {
                return true;
            }
        }

        return false;
    }

    // Ray casting in plain lon/lat: at the size of a grid cell the projection error is far below GPS error.
    private static bool InRing(GeoPoint[] ring, GeoPoint p)
    {
        bool inside = false;
        for (int i = 0, j = ring.Length - 1; i < ring.Length; j = i++)
        {
            GeoPoint a = ring[i];
            GeoPoint b = ring[j];
            if ((a.Lat > p.Lat) != (b.Lat > p.Lat) && p.Lon < ((b.Lon - a.Lon) * (p.Lat - a.Lat) / (b.Lat - a.Lat)) + a.Lon)
            {
                inside = !inside;
            }
        }

        return inside;
    }
}
