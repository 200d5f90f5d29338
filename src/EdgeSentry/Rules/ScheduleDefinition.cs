using System.Text.Json.Serialization;

namespace EdgeSentry.Rules;

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
