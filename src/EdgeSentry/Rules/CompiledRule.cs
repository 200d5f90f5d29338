namespace EdgeSentry.Rules;

/// <summary>A validated rule resolved against the camera's zones, lines and the model's labels, plus its state.</summary>
internal sealed class CompiledRule
{
    public CompiledRule(RuleDefinition d, CompiledZone? zone, CompiledLine? line, IReadOnlyList<string> labels, int trackCapacity, TimeZoneInfo defaultTimeZone)
    {
        if (!RuleKinds.TryParse(d.Kind, out var kind))
        {
            throw new ArgumentException($"rule '{d.Id}': unknown kind '{d.Kind}'", nameof(d));
        }

        Kind = kind;
        KindName = RuleKinds.Name(kind);
        Id = d.Id;
        Zone = zone;
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
        MinCount = d.MinCount ?? 1;
        Severity = d.Severity;
        SeverityCounts = kind == RuleKind.Crowd
            ? (d.SeverityCounts ?? [2 * MinCount, 3 * MinCount]).ToArray()
            : [];
        LevelSince = new double[SeverityCounts.Length];
        Array.Fill(LevelSince, double.NaN);
        Radius = d.Radius ?? RuleDefinition.DefaultRadius;
        MinDistance = d.MinDistance ?? RuleDefinition.DefaultMinDistance;
        if (kind == RuleKind.WrongWay)
        {
            double dx = d.Direction?[0] ?? zone!.DirectionX, dy = d.Direction?[1] ?? zone!.DirectionY;
            double len = Math.Sqrt((dx * dx) + (dy * dy));
            DirectionX = dx / len;
            DirectionY = dy / len;
        }

        Schedule = d.Schedule is null ? null : RuleSchedule.Create(d.Schedule, defaultTimeZone);
        ZoneState = new IncidentState();
        PerTrack = IsPerTrack ? new IncidentState[trackCapacity] : [];
        for (int i = 0; i < PerTrack.Length; i++)
        {
            PerTrack[i] = new IncidentState();
        }

        AuxTrackId = new int[trackCapacity];
        AuxX = new double[trackCapacity];
        AuxY = new double[trackCapacity];
        AuxValue = new double[trackCapacity];
        AuxFlags = new int[trackCapacity];
        LineTotals = new int[labels.Count];
        IncidentCounts = new int[labels.Count];
    }

    public RuleKind Kind { get; }
    public string KindName { get; }
    public string Id { get; }
    public CompiledZone? Zone { get; }
    /// <summary>Index of <see cref="Zone"/> in the engine's zone table; -1 for the whole frame.</summary>
    public int ZoneIndex { get; init; } = -1;
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
    public int MinCount { get; }
    public int Severity { get; }
    public int[] SeverityCounts { get; }
    public double Radius { get; }
    public double MinDistance { get; }
    public double DirectionX { get; }
    public double DirectionY { get; }
    public RuleSchedule? Schedule { get; }

    public bool IsPerTrack => Kind is RuleKind.Loitering or RuleKind.Parking or RuleKind.WrongWay;

    /// <summary>The state of zone- and line-level incidents (intrusion, crowd, line-crossing).</summary>
    public IncidentState ZoneState { get; }

    /// <summary>Per track slot, for per-track incidents (loitering, parking, wrong-way).</summary>
    public IncidentState[] PerTrack { get; }

    // Per-slot working memory of the rule kind (parking anchor, wrong-way progress, line side), keyed by track id.
    public int[] AuxTrackId { get; }
    public double[] AuxX { get; }
    public double[] AuxY { get; }
    public double[] AuxValue { get; }
    public int[] AuxFlags { get; }

    /// <summary>Line-crossing: crossings per class since the engine started.</summary>
    public int[] LineTotals { get; }

    /// <summary>Line-crossing: crossings per class in the open incident.</summary>
    public int[] IncidentCounts { get; }

    /// <summary>Whether the schedule armed the rule on the previous frame (rules without a schedule are always armed).</summary>
    public bool WasArmed { get; set; } = true;

    // Schedules have minute resolution, so one evaluation per UTC minute is exact.
    private long _scheduleMinute = long.MinValue;
    private bool _scheduleActive;

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

    /// <summary>Crowd: since when the count has stayed at or above each severity threshold (NaN when below).</summary>
    public double[] LevelSince { get; }

    /// <summary>
    /// Crowd severity: one level up for each threshold the count has stayed at or above for the dwell
    /// time, so a single frame of duplicate boxes cannot escalate an incident to the street office.
    /// </summary>
    public int SeverityFor(int count, double t, double slack)
    {
        int severity = Severity;
        for (int k = 0; k < SeverityCounts.Length; k++)
        {
            if (count < SeverityCounts[k])
            {
                LevelSince[k] = double.NaN;
                continue;
            }

            if (double.IsNaN(LevelSince[k]))
            {
                LevelSince[k] = t;
            }

            if (t - LevelSince[k] >= Dwell - slack)
            {
                severity++;
            }
        }

        return Math.Min(3, severity);
    }
}
