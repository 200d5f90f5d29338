using System.Text.Json.Serialization;

namespace EdgeSentry.Rules;

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
