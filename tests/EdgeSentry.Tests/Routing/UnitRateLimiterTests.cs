using EdgeSentry.Routing;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Routing;

public sealed class UnitRateLimiterTests
{
    [Fact]
    public void TryTake_BurstSpent_RefusesAndCountsUntilTimeRefills()
    {
        var time = new ManualTimeProvider();
        var limiter = new UnitRateLimiter(perSecond: 2, burst: 3, time);

        bool[] first = [.. Enumerable.Range(0, 5).Select(_ => limiter.TryTake("u-1"))];
        time.Advance(TimeSpan.FromSeconds(1));
        bool[] after = [.. Enumerable.Range(0, 3).Select(_ => limiter.TryTake("u-1"))];

        Assert.Equal([true, true, true, false, false], first);
        Assert.Equal([true, true, false], after);
        Assert.Equal(3, limiter.Dropped);
    }

    [Fact]
    public void TryTake_OneUnitFloods_OtherUnitsKeepTheirOwnBucket()
    {
        var limiter = new UnitRateLimiter(perSecond: 1, burst: 2, new ManualTimeProvider());
        for (int i = 0; i < 100; i++)
        {
            limiter.TryTake("noisy");
        }

        Assert.True(limiter.TryTake("quiet"));
        Assert.True(limiter.TryTake("quiet"));
        Assert.Equal(98, limiter.Dropped);
    }

    [Fact]
    public async Task HandleAsync_UnitFloodsItsAckTopic_BeyondTheBurstRateLimitedAndCounted()
    {
        await using var f = await RoutingFixture.CreateAsync(new RoutingOptions { UnitBurst = 5, UnitMessagesPerSecond = 1 });

        var outcomes = new List<InputOutcome>();
        for (int i = 0; i < 8; i++)
        {
            outcomes.Add(await f.AckAsync("u-near", "inc-x", "accepted"));
        }

        Assert.Equal(5, outcomes.Count(o => o == InputOutcome.UnknownIncident));
        Assert.Equal(3, f.Router.AckCount(InputOutcome.RateLimited));
        Assert.Equal(3, f.Router.RateLimited);
        // Another unit is not held back by the flood.
        Assert.Equal(InputOutcome.Accepted, await f.StatusAsync("u-mid", true));
    }
}
