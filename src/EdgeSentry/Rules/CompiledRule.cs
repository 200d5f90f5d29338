using EdgeSentry.Tracking;

namespace EdgeSentry.Rules;

/// <summary>
/// What every rule kind has in common, validated and resolved against the camera's zones and lines and
/// the model's labels: the object filters, the lifecycle timings, the schedule. Kind-specific settings
/// and state live in the kind's <see cref="RuleEvaluator"/>.
/// </summary>
internal sealed class CompiledRule
{
    // Schedules have minute resolution, so one evaluation per UTC minute is exact.
    private long _scheduleMinute = long.MinValue;
    private bool _scheduleActive;

    public CompiledRule(RuleDefinition d, RuleKind kind, CompiledZone? zone, int zoneIndex, CompiledLine? line, IReadOnlyList<string> labels, TimeZoneInfo defaultTimeZone)
    {
        Kind = kind;
        KindName = RuleKinds.Name(kind);
        Id = d.Id;
        Zone = zone;
        ZoneIndex = zoneIndex;
        Line = line;
        ClassAllowed = new bool[labels.Count];
        MinScore = new float[labels.Count];
        for (int c = 0; c < labels.Count; c++)
        {
            ClassAllowed[c] = d.Classes.Count == 0 || d.Classes.Contains(labels[c]);
            MinScore[c] = (float)(d.MinScores is not null && d.MinScores.TryGetValue(labels[c], out double s) ? s : d.MinScore);
        }

        MinWidth = d.MinSize?[0] ?? 0;
        MinHeight = d.MinSize?[1] ?? 0;
        MaxWidth = d.MaxSize?[0] ?? double.PositiveInfinity;
        MaxHeight = d.MaxSize?[1] ?? double.PositiveInfinity;
        Dwell = d.DwellSeconds ?? 0;
        Hold = d.HoldSeconds;
        Cooldown = d.CooldownSeconds;
        Update = d.UpdateSeconds;
        Severity = d.Severity;
        Schedule = d.Schedule is null ? null : RuleSchedule.Create(d.Schedule, defaultTimeZone);
    }

    public RuleKind Kind { get; }
    public string KindName { get; }
    public string Id { get; }
    public CompiledZone? Zone { get; }
    /// <summary>Index of <see cref="Zone"/> in the camera's zone table; -1 for the whole frame.</summary>
    public int ZoneIndex { get; }
    public CompiledLine? Line { get; }
    public bool[] ClassAllowed { get; }
    public float[] MinScore { get; }
    public double MinWidth { get; }
    public double MinHeight { get; }
    public double MaxWidth { get; }
    public double MaxHeight { get; }
    public double Dwell { get; }
    public double Hold { get; }
    public double Cooldown { get; }
    public double Update { get; }
    public int Severity { get; }
    public RuleSchedule? Schedule { get; }

    /// <summary>Whether the schedule armed the rule on the previous frame (rules without a schedule are always armed).</summary>
    public bool WasArmed { get; set; } = true;

    public bool IsArmed(DateTimeOffset at)
    {
        if (Schedule is null)
        {
            return true;
        }

        long minute = at.UtcTicks / TimeSpan.TicksPerMinute;
        if (minute != _scheduleMinute)
        {
            _scheduleMinute = minute;
            _scheduleActive = Schedule.IsActive(at);
        }

        return _scheduleActive;
    }

    /// <summary>The class, score and size filters (sizes as fractions of the frame).</summary>
    public bool Passes(int classId, float score, double width, double height) =>
        (uint)classId < (uint)ClassAllowed.Length
        && ClassAllowed[classId]
        && score >= MinScore[classId]
        && width >= MinWidth && height >= MinHeight
        && width <= MaxWidth && height <= MaxHeight;

    /// <summary>A confirmed track seen this frame that the class, score, size and zone filters accept.</summary>
    public bool Accepts(in TrackedObject track, int slot, TrackGeometry geometry) =>
        track.IsVisible
        && Passes(track.ClassId, track.Score, geometry.Width(slot), geometry.Height(slot))
        && geometry.InZone(ZoneIndex, slot);
}
