using System.Text.Json;

namespace EdgeSentry.Routing;

/// <summary>
/// Grid cells read from a GeoJSON FeatureCollection of Polygon/MultiPolygon features with properties
/// <c>id</c>, <c>name</c>, <c>community</c>, <c>street</c>. Neighbours are cells that share a vertex, or whose
/// boundaries come within <c>neighbourDistanceMetres</c> of each other.
/// </summary>
public sealed class GridMap
{
    /// <summary>Shared vertices are compared at 1e-7° (about 1 cm): tools that write GeoJSON round differently.</summary>
    private const double VertexTolerance = 1e-7;
    private const int MaxBytes = 64 * 1024 * 1024;

    private readonly Dictionary<string, GridCell> _cells;
    private readonly Dictionary<string, string[]> _neighbours;

    private GridMap(List<GridCell> cells, double neighbourDistanceMetres)
    {
        _cells = cells.ToDictionary(c => c.Id, StringComparer.Ordinal);
        _neighbours = cells.ToDictionary(c => c.Id, _ => Array.Empty<string>(), StringComparer.Ordinal);
        var lists = cells.ToDictionary(c => c.Id, _ => new List<string>(), StringComparer.Ordinal);
        for (int i = 0; i < cells.Count; i++)
        {
            for (int j = i + 1; j < cells.Count; j++)
            {
                if (Adjacent(cells[i], cells[j], neighbourDistanceMetres))
                {
                    lists[cells[i].Id].Add(cells[j].Id);
                    lists[cells[j].Id].Add(cells[i].Id);
                }
            }
        }

        foreach (var (id, list) in lists)
        {
            _neighbours[id] = [.. list];
        }
    }

    public IReadOnlyCollection<GridCell> Cells => _cells.Values;

    public static GridMap Load(string path, double neighbourDistanceMetres = 0)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new GridMapException(path, [$"grid map file not found: {Path.GetFullPath(path)}"]);
        }

        if (info.Length > MaxBytes)
        {
            throw new GridMapException(path, [$"grid map is {info.Length} bytes, more than the {MaxBytes} allowed"]);
        }

        return Parse(File.ReadAllBytes(path), path, neighbourDistanceMetres);
    }

    public static GridMap Parse(ReadOnlyMemory<byte> geoJson, string source, double neighbourDistanceMetres = 0)
    {
        var errors = new List<string>();
        if (!(neighbourDistanceMetres >= 0) || !double.IsFinite(neighbourDistanceMetres))
        {
            errors.Add($"neighbourDistanceMetres {neighbourDistanceMetres} must be a finite number >= 0");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(geoJson, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new GridMapException(source, [$"not valid JSON: {e.Message}"]);
        }

        var cells = new List<GridCell>();
        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out JsonElement type) || type.ValueKind != JsonValueKind.String || type.GetString() != "FeatureCollection")
            {
                throw new GridMapException(source, ["$.type: expected \"FeatureCollection\""]);
            }

            if (!root.TryGetProperty("features", out JsonElement features) || features.ValueKind != JsonValueKind.Array)
            {
                throw new GridMapException(source, ["$.features: expected an array of features"]);
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            int index = 0;
            foreach (JsonElement feature in features.EnumerateArray())
            {
                string path = $"$.features[{index++}]";
                GridCell? cell = ParseFeature(feature, path, errors);
                if (cell is null)
                {
                    continue;
                }

                if (!seen.Add(cell.Id))
                {
                    errors.Add($"{path}.properties.id: '{cell.Id}' appears twice");
                    continue;
                }

                cells.Add(cell);
            }

            if (index == 0)
            {
                errors.Add("$.features: no grid cells");
            }
        }

        if (errors.Count > 0)
        {
            throw new GridMapException(source, errors);
        }

        return new GridMap(cells, neighbourDistanceMetres);
    }

    public bool TryGetCell(string id, out GridCell cell) => _cells.TryGetValue(id, out cell!);

    /// <summary>The cell containing <paramref name="point"/>; where cells overlap, the first in id order, so placement is stable.</summary>
    public GridCell? CellAt(GeoPoint point) =>
        _cells.Values.Where(c => c.Contains(point)).OrderBy(c => c.Id, StringComparer.Ordinal).FirstOrDefault();

    public IReadOnlyList<string> Neighbours(string cellId) => _neighbours.TryGetValue(cellId, out string[]? n) ? n : [];

    /// <summary>
    /// A camera's cell: its configured grid id wins; otherwise its position decides. The error names the camera.
    /// </summary>
    public GridCell Locate(string cameraId, string? gridId, GeoPoint? position)
    {
        if (!string.IsNullOrEmpty(gridId))
        {
            return _cells.TryGetValue(gridId, out GridCell? configured)
                ? configured
                : throw new ArgumentException($"camera '{cameraId}': gridId '{gridId}' is not a cell of the grid map", nameof(gridId));
        }

        if (position is not { } p)
        {
            throw new ArgumentException($"camera '{cameraId}' has neither a gridId nor lat/lon", nameof(position));
        }

        return CellAt(p) ?? throw new ArgumentException($"camera '{cameraId}' at {p.Lat},{p.Lon} lies in no grid cell", nameof(position));
    }

    private static GridCell? ParseFeature(JsonElement feature, string path, List<string> errors)
    {
        if (feature.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}: expected a Feature object");
            return null;
        }

        int before = errors.Count;
        string? id = null;
        string? name = null;
        string? community = null;
        string? street = null;
        if (!feature.TryGetProperty("properties", out JsonElement props) || props.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}.properties: expected an object with id, name, community, street");
        }
        else
        {
            id = Text(props, "id", $"{path}.properties", errors, required: true, topicLevel: true);
            name = Text(props, "name", $"{path}.properties", errors, required: false, topicLevel: false);
            community = Text(props, "community", $"{path}.properties", errors, required: false, topicLevel: false);
            street = Text(props, "street", $"{path}.properties", errors, required: false, topicLevel: true);
        }

        var polygons = new List<GeoPoint[][]>();
        if (!feature.TryGetProperty("geometry", out JsonElement geometry) || geometry.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}.geometry: expected a Polygon or MultiPolygon");
        }
        else
        {
            string? kind = geometry.TryGetProperty("type", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            bool hasCoordinates = geometry.TryGetProperty("coordinates", out JsonElement coordinates) && coordinates.ValueKind == JsonValueKind.Array;
            if (!hasCoordinates)
            {
                errors.Add($"{path}.geometry.coordinates: expected an array");
            }
            else if (kind == "Polygon")
            {
                AddPolygon(coordinates, $"{path}.geometry.coordinates", polygons, errors);
            }
            else if (kind == "MultiPolygon")
            {
                int i = 0;
                foreach (JsonElement polygon in coordinates.EnumerateArray())
                {
                    AddPolygon(polygon, $"{path}.geometry.coordinates[{i++}]", polygons, errors);
                }

                if (i == 0)
                {
                    errors.Add($"{path}.geometry.coordinates: a MultiPolygon needs at least one polygon");
                }
            }
            else
            {
                errors.Add($"{path}.geometry.type: expected Polygon or MultiPolygon, got '{kind}'");
            }
        }

        return errors.Count == before && id is not null ? new GridCell(id, name ?? id, community, street, polygons) : null;
    }

    private static string? Text(JsonElement props, string name, string path, List<string> errors, bool required, bool topicLevel)
    {
        if (!props.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                errors.Add($"{path}.{name}: missing");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text)
        {
            errors.Add($"{path}.{name}: expected a non-empty string");
            return null;
        }

        if (topicLevel && text.AsSpan().IndexOfAny("/+#\0") >= 0)
        {
            errors.Add($"{path}.{name}: '{text}' becomes an MQTT topic level and must not contain '/', '+', '#' or NUL");
            return null;
        }

        return text;
    }

    private static void AddPolygon(JsonElement polygon, string path, List<GeoPoint[][]> polygons, List<string> errors)
    {
        if (polygon.ValueKind != JsonValueKind.Array || polygon.GetArrayLength() == 0)
        {
            errors.Add($"{path}: expected an array of linear rings");
            return;
        }

        var rings = new List<GeoPoint[]>();
        int r = 0;
        foreach (JsonElement ring in polygon.EnumerateArray())
        {
            string ringPath = $"{path}[{r++}]";
            if (ring.ValueKind != JsonValueKind.Array || ring.GetArrayLength() < 4)
            {
                errors.Add($"{ringPath}: a linear ring needs at least 4 positions (closed)");
                continue;
            }

            var points = new List<GeoPoint>();
            int p = 0;
            foreach (JsonElement position in ring.EnumerateArray())
            {
                string pointPath = $"{ringPath}[{p++}]";
                if (position.ValueKind != JsonValueKind.Array || position.GetArrayLength() < 2
                    || position[0].ValueKind != JsonValueKind.Number || position[1].ValueKind != JsonValueKind.Number)
                {
                    errors.Add($"{pointPath}: expected [lon, lat]");
                    continue;
                }

                var point = new GeoPoint(position[1].GetDouble(), position[0].GetDouble());
                if (!point.IsValid)
                {
                    errors.Add($"{pointPath}: [{point.Lon}, {point.Lat}] is outside lon -180..180 / lat -90..90");
                    continue;
                }

                points.Add(point);
            }

            if (points.Count == p)
            {
                if (points[0] != points[^1])
                {
                    errors.Add($"{ringPath}: the ring is not closed (first and last position differ)");
                    continue;
                }

                rings.Add([.. points]);
            }
        }

        if (rings.Count == r)
        {
            polygons.Add([.. rings]);
        }
    }

    private static bool Adjacent(GridCell a, GridCell b, double distanceMetres)
    {
        // Cheap reject: bounding boxes further apart than the distance (converted generously to degrees).
        double margin = (distanceMetres / 111_000.0 * 2) + VertexTolerance;
        if (a.MinLat - margin > b.MaxLat || b.MinLat - margin > a.MaxLat)
        {
            return false;
        }

        double lonMargin = margin / Math.Max(0.01, Math.Cos(double.DegreesToRadians(Math.Max(Math.Abs(a.MinLat), Math.Abs(a.MaxLat)))));
        if (a.MinLon - lonMargin > b.MaxLon || b.MinLon - lonMargin > a.MaxLon)
        {
            return false;
        }

        var bVertices = b.Polygons.SelectMany(p => p).SelectMany(r => r).ToArray();
        foreach (GeoPoint va in a.Polygons.SelectMany(p => p).SelectMany(r => r))
        {
            foreach (GeoPoint vb in bVertices)
            {
                if (Math.Abs(va.Lat - vb.Lat) <= VertexTolerance && Math.Abs(va.Lon - vb.Lon) <= VertexTolerance)
                {
                    return true;
                }
            }
        }

        return distanceMetres > 0 && (VerticesNearEdges(a, b, distanceMetres) || VerticesNearEdges(b, a, distanceMetres));
    }

    private static bool VerticesNearEdges(GridCell from, GridCell to, double metres)
    {
        foreach (GeoPoint v in from.Polygons.SelectMany(p => p).SelectMany(r => r))
        {
            foreach (GeoPoint[] ring in to.Polygons.SelectMany(p => p))
            {
                for (int i = 1; i < ring.Length; i++)
                {
                    if (SegmentDistanceMetres(v, ring[i - 1], ring[i]) <= metres)
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    // Equirectangular projection around the vertex: exact enough over the tens of metres a neighbour distance spans.
    private static double SegmentDistanceMetres(GeoPoint p, GeoPoint a, GeoPoint b)
    {
        double k = Math.Cos(double.DegreesToRadians(p.Lat));
        double ax = (a.Lon - p.Lon) * k;
        double ay = a.Lat - p.Lat;
        double bx = (b.Lon - p.Lon) * k;
        double by = b.Lat - p.Lat;
        double dx = bx - ax;
        double dy = by - ay;
        double lengthSquared = (dx * dx) + (dy * dy);
        double t = lengthSquared == 0 ? 0 : Math.Clamp(-((ax * dx) + (ay * dy)) / lengthSquared, 0, 1);
        double cx = ax + (t * dx);
        double cy = ay + (t * dy);
        return double.DegreesToRadians(Math.Sqrt((cx * cx) + (cy * cy))) * GeoPoint.EarthRadiusMetres;
    }
}
