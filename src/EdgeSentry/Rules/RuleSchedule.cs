namespace EdgeSentry.Rules;

/// <summary>
/// A compiled <see cref="ScheduleDefinition"/>: the days and the local-time windows in which a rule is armed.
/// A window that ends before it starts ("22:00-06:00") runs past midnight and belongs to the day it starts on.
/// </summary>
public sealed class RuleSchedule
{
    private readonly bool[] _days;
    private readonly int[] _windowStarts;
    private readonly int[] _windowEnds;

    private RuleSchedule(bool[] days, int[] windowStarts, int[] windowEnds, TimeZoneInfo timeZone)
    {
        _days = days;
        _windowStarts = windowStarts;
        _windowEnds = windowEnds;
        TimeZone = timeZone;
    }

    public TimeZoneInfo TimeZone { get; }

    /// <summary>Builds the schedule; the definition must have passed validation.</summary>
    public static RuleSchedule Create(ScheduleDefinition definition, TimeZoneInfo defaultTimeZone)
    {
        var days = new bool[7];
        if (definition.Days.Count == 0)
        {
            Array.Fill(days, true);
        }

        foreach (string day in definition.Days)
        {
            days[(int)(TryParseDay(day, out var d) ? d : throw new ArgumentException($"'{day}' is not a day of the week", nameof(definition)))] = true;
        }

        var starts = new int[Math.Max(1, definition.Windows.Count)];
        var ends = new int[starts.Length];
        if (definition.Windows.Count == 0)
        {
            starts[0] = 0;
            ends[0] = MinutesPerDay;
        }

        for (int i = 0; i < definition.Windows.Count; i++)
        {
            if (!TryParseWindow(definition.Windows[i], out starts[i], out ends[i]))
            {
                throw new ArgumentException($"'{definition.Windows[i]}' is not a window HH:mm-HH:mm", nameof(definition));
            }
        }

        var zone = definition.TimeZone is null ? defaultTimeZone : TimeZoneInfo.FindSystemTimeZoneById(definition.TimeZone);
        return new RuleSchedule(days, starts, ends, zone);
    }

    public bool IsActive(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, TimeZone);
        int minute = (local.Hour * 60) + local.Minute;
        int today = (int)local.DayOfWeek;
        int yesterday = (today + 6) % 7;
        for (int i = 0; i < _windowStarts.Length; i++)
        {
            int start = _windowStarts[i], end = _windowEnds[i];
            if (start < end)
            {
                if (_days[today] && minute >= start && minute < end)
                {
                    return true;
                }
            }
            else if ((_days[today] && minute >= start) || (_days[yesterday] && minute < end))
            {
                return true;
            }
        }

        return false;
    }

    internal const int MinutesPerDay = 24 * 60;

    /// <summary>Accepts "mon".."sun" and full English day names, any case.</summary>
    public static bool TryParseDay(string? text, out DayOfWeek day)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "mon" or "monday": day = DayOfWeek.Monday; return true;
            case "tue" or "tuesday": day = DayOfWeek.Tuesday; return true;
            case "wed" or "wednesday": day = DayOfWeek.Wednesday; return true;
            case "thu" or "thursday": day = DayOfWeek.Thursday; return true;
            case "fri" or "friday": day = DayOfWeek.Friday; return true;
            case "sat" or "saturday": day = DayOfWeek.Saturday; return true;
            case "sun" or "sunday": day = DayOfWeek.Sunday; return true;
            default: day = default; return false;
        }
    }

    /// <summary>"HH:mm-HH:mm" in minutes of the day; "24:00" is allowed as an end. Equal ends are rejected (ambiguous).</summary>
    public static bool TryParseWindow(string? text, out int startMinute, out int endMinute)
    {
        startMinute = endMinute = 0;
        if (text is null)
        {
            return false;
        }

        int dash = text.IndexOf('-', StringComparison.Ordinal);
        return dash > 0
            && TryParseClock(text.AsSpan(0, dash).Trim(), out startMinute)
            && TryParseClock(text.AsSpan(dash + 1).Trim(), out endMinute)
            && startMinute < MinutesPerDay
            && startMinute != endMinute;
    }

    private static bool TryParseClock(ReadOnlySpan<char> text, out int minute)
    {
        minute = 0;
        if (text.Length != 5 || text[2] != ':'
            || !int.TryParse(text[..2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int h)
            || !int.TryParse(text[3..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int m))
        {
            return false;
        }

        if (m > 59 || h > 24 || (h == 24 && m != 0))
        {
            return false;
        }

        minute = (h * 60) + m;
        return true;
    }
}
