using System.Globalization;
using System.Text.Json.Serialization;

namespace EdgeSentry.Rules;

/// <summary>A polygon zone (or mask), normalised coordinates.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class ZoneDefinition
{
    public string Id { get; set; } = "";
    public string? Name { get; set; }
    /// <summary>[[x,y], ...], at least 3 points, not closed (the last point joins the first), not self-intersecting.</summary>
    public List<double[]> Polygon { get; set; } = [];
    /// <summary>Optional allowed direction of travel [dx, dy] for wrong-way rules on this zone (y grows downwards).</summary>
    public double[]? Direction { get; set; }

    public void Validate(string path, List<string> errors)
    {
        DefinitionChecks.Id(Id, path, errors);
        if (Polygon is null)
        {
            errors.Add($"{path}.polygon: is required ([[x,y], ...], at least 3 points)");
            return;
        }

        if (Polygon.Count < 3)
        {
            errors.Add($"{path}.polygon: has {Polygon.Count} point(s); a zone needs >= 3 points");
        }

        bool pointsOk = true;
        for (int i = 0; i < Polygon.Count; i++)
        {
            pointsOk &= DefinitionChecks.Point(Polygon[i], $"{path}.polygon", $"point {i}", errors);
        }

        if (!pointsOk || Polygon.Count < 3)
        {
            return;
        }

        var xs = new double[Polygon.Count];
        var ys = new double[Polygon.Count];
        for (int i = 0; i < Polygon.Count; i++)
        {
            xs[i] = Polygon[i][0];
            ys[i] = Polygon[i][1];
        }

        if (PlaneGeometry.TryFindSelfIntersection(xs, ys, out int a, out int b))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture,
                $"{path}.polygon: is self-intersecting (edge {a}-{(a + 1) % xs.Length} meets edge {b}-{(b + 1) % xs.Length})"));
        }
        else if (PlaneGeometry.Area(xs, ys) < 1e-6)
        {
            errors.Add($"{path}.polygon: has no area");
        }

        if (Direction is not null)
        {
            DefinitionChecks.Vector(Direction, $"{path}.direction", errors);
        }
    }
}
