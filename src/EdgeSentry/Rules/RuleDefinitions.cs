using System.Globalization;
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

/// <summary>The days, local time windows and IANA time zone in which a rule is armed.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class ScheduleDefinition
{
    /// <summary>"mon".."sun" (or full names); empty means every day.</summary>
    public List<string> Days { get; set; } = [];
    /// <summary>"HH:mm-HH:mm" local times; a window ending before it starts runs past midnight. Empty means all day.</summary>
    public List<string> Windows { get; set; } = [];
    /// <summary>IANA time zone id, e.g. "Asia/Shanghai"; null means the service's local time zone.</summary>
    public string? TimeZone { get; set; }

    public void Validate(string path, List<string> errors)
    {
        for (int i = 0; i < (Days?.Count ?? 0); i++)
        {
            if (!RuleSchedule.TryParseDay(Days![i], out _))
            {
                errors.Add($"{path}.days[{i}]: '{Days[i]}' is not a day (use mon, tue, wed, thu, fri, sat, sun)");
            }
        }

        for (int i = 0; i < (Windows?.Count ?? 0); i++)
        {
            if (!RuleSchedule.TryParseWindow(Windows![i], out _, out _))
            {
                errors.Add($"{path}.windows[{i}]: '{Windows[i]}' is not a time window HH:mm-HH:mm (e.g. \"07:00-09:00\", \"22:00-06:00\")");
            }
        }

        if (Days is null)
        {
            errors.Add($"{path}.days: must be a list (use [] for every day)");
        }

        if (Windows is null)
        {
            errors.Add($"{path}.windows: must be a list (use [] for all day)");
        }

        if (TimeZone is not null)
        {
            try
            {
                TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
            }
            catch (TimeZoneNotFoundException)
            {
                errors.Add($"{path}.timeZone: '{TimeZone}' is not a known time zone (use an IANA id such as \"Asia/Shanghai\"; is tzdata installed?)");
            }
            catch (InvalidTimeZoneException e)
            {
                errors.Add($"{path}.timeZone: '{TimeZone}' could not be read: {e.Message}");
            }
        }
    }
}

/// <summary>Tracker tuning for one camera. Times in seconds of stream time.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class TrackerDefinition
{
    /// <summary>Detections at or above this score take part in the first association and may start tracks.</summary>
    /// <remarks>The three score levels default to the model's measured track-birth levels (its manifest), else ByteTrack's 0.5 / 0.1 / 0.6.</remarks>
    public double? HighScore { get; set; }
    /// <summary>Detections between this and <see cref="HighScore"/> only keep existing tracks alive (second association).</summary>
    public double? LowScore { get; set; }
    /// <summary>A new track needs a detection at least this confident.</summary>
    public double? NewTrackScore { get; set; }
    /// <summary>Minimum IoU with the predicted box for the first association.</summary>
    public double MatchIou { get; set; } = 0.2;
    /// <summary>Matches needed before a tentative track is confirmed and reaches the rules.</summary>
    public int MinHits { get; set; } = 3;
    /// <summary>A track unmatched for this long is dropped.</summary>
    public double LostSeconds { get; set; } = 1.5;
    /// <summary>Bound on live tracks per camera; extra objects are not tracked (and counted).</summary>
    public int MaxTracks { get; set; } = 128;

    public void Validate(string path, List<string> errors)
    {
        DefinitionChecks.Range(HighScore ?? 0, 0, 1, $"{path}.highScore", errors);
        DefinitionChecks.Range(LowScore ?? 0, 0, 1, $"{path}.lowScore", errors);
        DefinitionChecks.Range(NewTrackScore ?? 0, 0, 1, $"{path}.newTrackScore", errors);
        DefinitionChecks.Range(MatchIou, 0.01, 1, $"{path}.matchIou", errors);
        if (LowScore is { } low && HighScore is { } high && low > high)
        {
            errors.Add($"{path}.lowScore: {Fmt(low)} is above highScore {Fmt(high)}");
        }

        if (MinHits is < 1 or > 30)
        {
            errors.Add($"{path}.minHits: {MinHits} is outside [1, 30]");
        }

        DefinitionChecks.Range(LostSeconds, 0.05, 60, $"{path}.lostSeconds", errors);
        if (MaxTracks is < 1 or > 4096)
        {
            errors.Add($"{path}.maxTracks: {MaxTracks} is outside [1, 4096]");
        }
    }

    private static string Fmt(double v) => v.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One rule: what to watch (kind, zone or line, classes) and when to raise an incident.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class RuleDefinition
{
    public const double DefaultHoldSeconds = 2.0;
    public const double DefaultUpdateSeconds = 30.0;
    public const double DefaultRadius = 0.03;
    public const double DefaultMinDistance = 0.1;

    public string Id { get; set; } = "";
    /// <summary>intrusion | loitering | crowd | parking | wrong-way | line-crossing.</summary>
    public string Kind { get; set; } = "";
    public bool Enabled { get; set; } = true;
    /// <summary>Zone id; null watches the whole frame. Not used by line-crossing.</summary>
    public string? Zone { get; set; }
    /// <summary>Line id; line-crossing only.</summary>
    public string? Line { get; set; }
    /// <summary>Labels of the model (e.g. "person", "car"); empty means every class.</summary>
    public List<string> Classes { get; set; } = [];
    /// <summary>Minimum detection score for every class.</summary>
    public double MinScore { get; set; }
    /// <summary>Per-label minimum scores overriding <see cref="MinScore"/>.</summary>
    public Dictionary<string, double>? MinScores { get; set; }
    /// <summary>[width, height] as fractions of the frame: smaller boxes are ignored.</summary>
    public double[]? MinSize { get; set; }
    /// <summary>[width, height] as fractions of the frame: larger boxes are ignored.</summary>
    public double[]? MaxSize { get; set; }
    /// <summary>How long the condition must hold before the incident starts (required for loitering, crowd and parking).</summary>
    public double? DwellSeconds { get; set; }
    /// <summary>How long the condition must be false before the incident ends; shorter gaps do not split an incident.</summary>
    public double HoldSeconds { get; set; } = DefaultHoldSeconds;
    /// <summary>After an incident ends, the same rule (and zone, and track) stays quiet this long.</summary>
    public double CooldownSeconds { get; set; }
    /// <summary>Period of "updated" heartbeats while an incident is open; 0 disables them (severity rises are always sent).</summary>
    public double UpdateSeconds { get; set; } = DefaultUpdateSeconds;
    /// <summary>Crowd: objects needed in the zone.</summary>
    public int? MinCount { get; set; }
    /// <summary>Crowd: counts at which severity rises by one each (capped at 3); default [2 x minCount, 3 x minCount].</summary>
    public List<int>? SeverityCounts { get; set; }
    /// <summary>Parking: how far the bottom-centre may wander and still count as stopped.</summary>
    public double? Radius { get; set; }
    /// <summary>Wrong-way: allowed direction of travel [dx, dy]; defaults to the zone's direction.</summary>
    public double[]? Direction { get; set; }
    /// <summary>Wrong-way: how far against the allowed direction a track must travel.</summary>
    public double? MinDistance { get; set; }
    /// <summary>1 = fixed by the patrol on the spot, 2 = community/grid, 3 = escalated.</summary>
    public int Severity { get; set; } = 2;
    public ScheduleDefinition? Schedule { get; set; }

    public void Validate(string path, IReadOnlyList<string> labels, CameraRulesDefinition camera, List<string> errors)
    {
        DefinitionChecks.Id(Id, path, errors);
        if (!RuleKinds.TryParse(Kind, out var kind))
        {
            errors.Add($"{path}.kind: '{Kind}' is not a rule kind (use {string.Join(", ", RuleKinds.All)})");
            ValidateCommon(path, labels, camera, errors);
            return;
        }

        ValidateCommon(path, labels, camera, errors);
        var uses = RuleEvaluators.SettingsOf(kind);
        if (DwellSeconds is null && uses.HasFlag(KindSettings.Dwell))
        {
            errors.Add($"{path}.dwellSeconds: is required for {Kind}");
        }

        if (uses.HasFlag(KindSettings.Line))
        {
            if (Line is null)
            {
                errors.Add($"{path}.line: is required for line-crossing");
            }

            if (Zone is not null)
            {
                errors.Add($"{path}.zone: line-crossing uses a line, not a zone");
            }
        }
        else if (Line is not null)
        {
            errors.Add($"{path}.line: only line-crossing rules use a line");
        }

        if (uses.HasFlag(KindSettings.CrowdCounts))
        {
            if (MinCount is null)
            {
                errors.Add($"{path}.minCount: is required for crowd");
            }
            else if (MinCount is < 2 or > 1000)
            {
                errors.Add($"{path}.minCount: {MinCount} is outside [2, 1000]");
            }

            if (SeverityCounts is not null)
            {
                for (int i = 0; i < SeverityCounts.Count; i++)
                {
                    int previous = i == 0 ? MinCount ?? 0 : SeverityCounts[i - 1];
                    if (SeverityCounts[i] <= previous)
                    {
                        errors.Add($"{path}.severityCounts[{i}]: {SeverityCounts[i]} must be above {previous} (counts rise)");
                    }
                }
            }
        }
        else
        {
            Forbid(MinCount is not null, path, "minCount", "crowd", errors);
            Forbid(SeverityCounts is not null, path, "severityCounts", "crowd", errors);
        }

        if (uses.HasFlag(KindSettings.Radius))
        {
            if (Radius is { } r)
            {
                DefinitionChecks.Range(r, 0.001, 0.5, $"{path}.radius", errors);
            }
        }
        else
        {
            Forbid(Radius is not null, path, "radius", "parking", errors);
        }

        if (uses.HasFlag(KindSettings.Direction))
        {
            if (Direction is not null)
            {
                DefinitionChecks.Vector(Direction, $"{path}.direction", errors);
            }
            else if (Zone is null || camera.FindZone(Zone)?.Direction is null)
            {
                errors.Add($"{path}.direction: wrong-way needs an allowed direction [dx, dy] here or on its zone");
            }

            if (MinDistance is { } d)
            {
                DefinitionChecks.Range(d, 0.005, 1.5, $"{path}.minDistance", errors);
            }
        }
        else
        {
            Forbid(Direction is not null, path, "direction", "wrong-way (line-crossing takes its direction from the line)", errors);
            Forbid(MinDistance is not null, path, "minDistance", "wrong-way", errors);
        }
    }

    private void ValidateCommon(string path, IReadOnlyList<string> labels, CameraRulesDefinition camera, List<string> errors)
    {
        if (Zone is not null && camera.FindZone(Zone) is null)
        {
            errors.Add($"{path}.zone: '{Zone}' is not a zone of this camera (zones: {Known(camera.Zones?.Select(z => z?.Id))})");
        }

        if (Line is not null && camera.FindLine(Line) is null)
        {
            errors.Add($"{path}.line: '{Line}' is not a line of this camera (lines: {Known(camera.Lines?.Select(l => l?.Id))})");
        }

        if (Classes is null)
        {
            errors.Add($"{path}.classes: must be a list (use [] for every class)");
        }
        else
        {
            for (int i = 0; i < Classes.Count; i++)
            {
                if (Classes[i] is null || !labels.Contains(Classes[i]))
                {
                    errors.Add($"{path}.classes[{i}]: '{Classes[i]}' is not a label of the model");
                }
            }
        }

        DefinitionChecks.Range(MinScore, 0, 1, $"{path}.minScore", errors);
        if (MinScores is not null)
        {
            foreach (var (label, score) in MinScores)
            {
                if (!labels.Contains(label))
                {
                    errors.Add($"{path}.minScores.{label}: '{label}' is not a label of the model");
                }

                DefinitionChecks.Range(score, 0, 1, $"{path}.minScores.{label}", errors);
            }
        }

        bool minOk = MinSize is null || DefinitionChecks.Size(MinSize, $"{path}.minSize", errors);
        bool maxOk = MaxSize is null || DefinitionChecks.Size(MaxSize, $"{path}.maxSize", errors);
        if (MinSize is not null && MaxSize is not null && minOk && maxOk && (MinSize[0] > MaxSize[0] || MinSize[1] > MaxSize[1]))
        {
            errors.Add($"{path}.minSize: is larger than maxSize");
        }

        if (DwellSeconds is { } dwell)
        {
            DefinitionChecks.Range(dwell, 0, 86_400, $"{path}.dwellSeconds", errors);
        }

        DefinitionChecks.Range(HoldSeconds, 0, 3_600, $"{path}.holdSeconds", errors);
        DefinitionChecks.Range(CooldownSeconds, 0, 86_400, $"{path}.cooldownSeconds", errors);
        if (UpdateSeconds != 0)
        {
            DefinitionChecks.Range(UpdateSeconds, 1, 86_400, $"{path}.updateSeconds", errors);
        }

        if (Severity is < 1 or > 3)
        {
            errors.Add($"{path}.severity: {Severity} is outside 1..3");
        }

        Schedule?.Validate($"{path}.schedule", errors);
    }

    private static void Forbid(bool present, string path, string field, string kinds, List<string> errors)
    {
        if (present)
        {
            errors.Add($"{path}.{field}: only {kinds} rules use it");
        }
    }

    private static string Known(IEnumerable<string?>? ids)
    {
        var list = ids?.Where(i => i is not null).ToList() ?? [];
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }
}

internal static class DefinitionChecks
{
    public static void Id(string? id, string path, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            errors.Add($"{path}.id: is required");
        }
        else if (id.Length > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            // Ids end up in incident ids and MQTT topics: keep them to a safe alphabet.
            errors.Add($"{path}.id: '{id}' must be 1-64 characters of a-z, A-Z, 0-9, '-', '_', '.'");
        }
    }

    public static bool Point(double[]? point, string path, string what, List<string> errors)
    {
        if (point is null || point.Length != 2)
        {
            errors.Add($"{path}: {what} must be [x, y]");
            return false;
        }

        if (!(point[0] is >= 0 and <= 1) || !(point[1] is >= 0 and <= 1))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{path}: {what} ({point[0]}, {point[1]}) is outside [0,1]"));
            return false;
        }

        return true;
    }

    public static bool Vector(double[] v, string path, List<string> errors)
    {
        if (v.Length != 2 || !double.IsFinite(v[0]) || !double.IsFinite(v[1]) || ((v[0] * v[0]) + (v[1] * v[1])) < 1e-12)
        {
            errors.Add($"{path}: must be a non-zero vector [dx, dy]");
            return false;
        }

        return true;
    }

    public static bool Size(double[] size, string path, List<string> errors)
    {
        if (size.Length != 2 || !(size[0] is >= 0 and <= 1) || !(size[1] is >= 0 and <= 1))
        {
            errors.Add($"{path}: must be [width, height] as fractions of the frame, each in [0,1]");
            return false;
        }

        return true;
    }

    public static void Range(double value, double min, double max, string path, List<string> errors)
    {
        if (!(value >= min && value <= max))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{path}: {value} is outside [{min}, {max}]"));
        }
    }
}
