using EdgeSentry.Rules;

namespace EdgeSentry.Tests.Rules;

public class RuleScheduleTests
{
    private static RuleSchedule Create(string[] days, string[] windows, string? zone = "Asia/Shanghai") =>
        RuleSchedule.Create(new ScheduleDefinition { Days = [.. days], Windows = [.. windows], TimeZone = zone }, TimeZoneInfo.Utc);

    // Shanghai is UTC+8 all year.
    private static DateTimeOffset Local(int day, int hour, int minute) =>
        new DateTimeOffset(2026, 11, day, hour, minute, 0, TimeSpan.FromHours(8));

    [Theory]
    [InlineData(23, 6, 59, false)]  // Monday before the window
    [InlineData(23, 7, 0, true)]
    [InlineData(23, 8, 59, true)]
    [InlineData(23, 9, 0, false)]   // end is exclusive
    [InlineData(23, 16, 0, true)]
    [InlineData(28, 8, 0, false)]   // Saturday
    public void IsActive_SchoolDaysTwoWindows_FollowsLocalTime(int day, int hour, int minute, bool expected)
    {
        var schedule = Create(["mon", "tue", "wed", "thu", "fri"], ["07:00-09:00", "15:30-17:30"]);

        Assert.Equal(expected, schedule.IsActive(Local(day, hour, minute)));
    }

    [Theory]
    [InlineData(27, 23, 0, true)]   // Friday night
    [InlineData(28, 3, 0, true)]    // Saturday early morning: Friday's window
    [InlineData(28, 23, 0, false)]  // Saturday night: not listed
    [InlineData(29, 3, 0, false)]   // Sunday morning: Saturday's window, not listed
    [InlineData(24, 3, 0, false)]   // Tuesday morning after Monday... Monday not listed either
    public void IsActive_OvernightWindow_BelongsToTheDayItStarts(int day, int hour, int minute, bool expected)
    {
        var schedule = Create(["fri"], ["22:00-06:00"]);

        Assert.Equal(expected, schedule.IsActive(Local(day, hour, minute)));
    }

    [Fact]
    public void IsActive_SameInstantDifferentZones_Differs()
    {
        var at = new DateTimeOffset(2026, 11, 23, 1, 0, 0, TimeSpan.Zero); // 09:00 Shanghai, 01:00 UTC
        var shanghai = Create([], ["08:00-10:00"]);
        var utc = Create([], ["08:00-10:00"], "UTC");

        Assert.True(shanghai.IsActive(at));
        Assert.False(utc.IsActive(at));
    }

    [Fact]
    public void IsActive_DaylightSavingZone_UsesTheOffsetOfThatDate()
    {
        var schedule = Create([], ["08:00-09:00"], "Europe/Berlin");

        Assert.True(schedule.IsActive(new DateTimeOffset(2026, 7, 1, 6, 30, 0, TimeSpan.Zero)));   // CEST, 08:30
        Assert.True(schedule.IsActive(new DateTimeOffset(2026, 12, 1, 7, 30, 0, TimeSpan.Zero)));  // CET, 08:30
        Assert.False(schedule.IsActive(new DateTimeOffset(2026, 7, 1, 7, 30, 0, TimeSpan.Zero)));  // 09:30 CEST
    }

    [Fact]
    public void IsActive_NoDaysNoWindows_AlwaysArmed()
    {
        var schedule = Create([], []);

        Assert.True(schedule.IsActive(Local(28, 3, 17)));
    }

    [Theory]
    [InlineData("07:00-09:00", true)]
    [InlineData("00:00-24:00", true)]
    [InlineData("22:00-06:00", true)]
    [InlineData("7:00-9:00", false)]
    [InlineData("07:00-07:00", false)]
    [InlineData("07:60-08:00", false)]
    [InlineData("24:00-01:00", false)]
    [InlineData("07:00", false)]
    public void TryParseWindow_Formats_AcceptsOnlyHhMmRanges(string text, bool expected) =>
        Assert.Equal(expected, RuleSchedule.TryParseWindow(text, out _, out _));
}

public class RuleScheduleAllocationTests
{
    [Fact]
    public void IsActive_ManyMinutesInAZoneWithRules_AllocatesNothing()
    {
        var schedule = RuleSchedule.Create(new ScheduleDefinition { Windows = ["07:00-09:00"], TimeZone = "Europe/Berlin" }, TimeZoneInfo.Utc);
        var start = new DateTimeOffset(2026, 3, 28, 0, 0, 0, TimeSpan.Zero);
        schedule.IsActive(start);

        int active = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3 * 24 * 60; i++)
        {
            active += schedule.IsActive(start.AddMinutes(i)) ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(3 * 120, active);
    }
}
