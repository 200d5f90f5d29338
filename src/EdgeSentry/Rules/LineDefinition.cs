using System.Text.Json.Serialization;

namespace EdgeSentry.Rules;

/// <summary>A counting line from <see cref="From"/> to <see cref="To"/>, normalised coordinates.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class LineDefinition
{
    public string Id { get; set; } = "";
    public string? Name { get; set; }
    public double[] From { get; set; } = [];
    public double[] To { get; set; } = [];
    /// <summary>
    /// Which crossings count: a vector [dx, dy] (y grows downwards); a crossing counts when the object
    /// moves across the line with a positive component along it. Null counts both directions.
    /// </summary>
    public double[]? Direction { get; set; }

    public void Validate(string path, List<string> errors)
    {
        DefinitionChecks.Id(Id, path, errors);
        bool ok = DefinitionChecks.Point(From, path, "from", errors);
        ok &= DefinitionChecks.Point(To, path, "to", errors);
        if (ok && Math.Abs(From[0] - To[0]) + Math.Abs(From[1] - To[1]) < 1e-6)
        {
            errors.Add($"{path}: from and to are the same point; a line needs length");
            ok = false;
        }

        if (Direction is not null && DefinitionChecks.Vector(Direction, $"{path}.direction", errors) && ok)
        {
            // The direction only decides a side of the line, so it must not run along the line.
            double lx = To[0] - From[0], ly = To[1] - From[1];
            double across = Math.Abs((lx * Direction[1]) - (ly * Direction[0])) / (Math.Sqrt((lx * lx) + (ly * ly)) * Math.Sqrt((Direction[0] * Direction[0]) + (Direction[1] * Direction[1])));
            if (across < 0.05)
            {
                errors.Add($"{path}.direction: runs along the line; give the direction in which objects cross it");
            }
        }
    }
}
