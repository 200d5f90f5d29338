using System.Text.Json.Serialization;

namespace EdgeSentry.Rules;

// Plain configuration shapes, deserialised by System.Text.Json (camelCase, unknown keys rejected).
// Coordinates are normalised to the frame: x in [0,1] left to right, y in [0,1] top to bottom.
// Distances (radius, minDistance) are Euclidean in those normalised coordinates.

/// <summary>The zones, lines, masks and rules of one camera.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class CameraRulesDefinition
{
    public List<ZoneDefinition> Zones { get; set; } = [];
    public List<LineDefinition> Lines { get; set; } = [];
    /// <summary>Ignored areas: a detection whose bottom-centre lies in a mask never reaches the tracker.</summary>
    public List<ZoneDefinition> Masks { get; set; } = [];
    public List<RuleDefinition> Rules { get; set; } = [];
    /// <summary>Optional tracker tuning; defaults suit 5-30 fps street and gate footage.</summary>
    public TrackerDefinition? Tracker { get; set; }

    /// <summary>Appends every problem, each prefixed with its JSON path under <paramref name="path"/>.</summary>
    public void Validate(string path, IReadOnlyList<string> labels, List<string> errors)
    {
        ValidateEach(Zones, path, "zones", "zone", z => z.Id, (zone, at) => zone.Validate(at, errors), errors);
        ValidateEach(Masks, path, "masks", "mask", m => m.Id, (mask, at) =>
        {
            mask.Validate(at, errors);
            if (mask.Direction is not null)
            {
                errors.Add($"{at}.direction: a mask has no direction (objects in it are ignored)");
            }
        }, errors);
        ValidateEach(Lines, path, "lines", "line", l => l.Id, (line, at) => line.Validate(at, errors), errors);
        ValidateEach(Rules, path, "rules", "rule", r => r.Id, (rule, at) => rule.Validate(at, labels, this, errors), errors);

        Tracker?.Validate($"{path}.tracker", errors);
    }

    internal ZoneDefinition? FindZone(string id) => Zones?.Find(z => z is not null && z.Id == id);

    internal LineDefinition? FindLine(string id) => Lines?.Find(l => l is not null && l.Id == id);

    /// <summary>
    /// Reports a missing list and null items, validates each item at its JSON path, and checks that ids
    /// are unique.
    /// </summary>
    private static void ValidateEach<T>(
        List<T>? list, string path, string name, string what, Func<T, string?> idOf, Action<T, string> validate, List<string> errors)
        where T : class
    {
        if (list is null)
        {
            errors.Add($"{path}.{name}: must be a list (use [] for none)");
            return;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] is not { } item)
            {
                errors.Add($"{path}.{name}[{i}]: is null");
                continue;
            }

            validate(item, $"{path}.{name}[{i}]");
            CheckUnique(idOf(item), ids, $"{path}.{name}[{i}].id", what, errors);
        }
    }

    private static void CheckUnique(string? id, HashSet<string> seen, string path, string what, List<string> errors)
    {
        if (!string.IsNullOrWhiteSpace(id) && !seen.Add(id))
        {
            errors.Add($"{path}: duplicate {what} id '{id}'");
        }
    }
}
