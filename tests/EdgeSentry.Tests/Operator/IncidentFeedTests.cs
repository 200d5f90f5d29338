using EdgeSentry.Operator;
using EdgeSentry.Routing;

namespace EdgeSentry.Tests.Operator;

/// <summary>The feed's loop states: what a page that opens now is given, and the bound.</summary>
public sealed class IncidentFeedTests
{
    [Fact]
    public void PublishLoop_MoreIncidentsThanCapacity_NewPageGetsLatestStateOfTheLastOnes()
    {
        var feed = new IncidentFeed(TimeProvider.System);
        for (int i = 0; i < IncidentFeed.Capacity + 50; i++)
        {
            feed.PublishLoop(View($"inc-{i}", LoopState.Dispatched, "u-1", accept: DateTimeOffset.UtcNow.AddMinutes(5)));
        }

        // A later change of a kept incident replaces its state, it does not add one.
        feed.PublishLoop(View($"inc-{IncidentFeed.Capacity + 49}", LoopState.Accepted, "u-1"));

        using var page = feed.Subscribe();
        List<LoopItem> loops = [.. page.Recent.OfType<LoopItem>()];
        Assert.Equal(IncidentFeed.Capacity, loops.Count);
        Assert.DoesNotContain(loops, l => l.IncidentId == "inc-49");
        Assert.Contains(loops, l => l.IncidentId == "inc-50");
        LoopItem last = Assert.Single(loops, l => l.IncidentId == $"inc-{IncidentFeed.Capacity + 49}");
        Assert.Equal(("accepted", false), (last.State, last.Delivered));
        Assert.True(loops.First(l => l.IncidentId == "inc-50").Delivered);
        // In the order it happened: the page applies them as the stream would have.
        Assert.Equal(page.Recent.Select(e => e.Seq).Order(), page.Recent.Select(e => e.Seq));
    }

    [Fact]
    public async Task PublishLoop_PageOpen_StreamedWithWireNames()
    {
        var feed = new IncidentFeed(TimeProvider.System);
        using var page = feed.Subscribe();

        feed.PublishLoop(View("inc-1", LoopState.Unassigned, null, escalations: 2, ended: EndReason.EdgeRestarted));

        var item = Assert.IsType<LoopItem>(await page.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(("unassigned", null, 2, true, "edge-restarted", "escalated"), (item.State, item.UnitId, item.Escalations, item.Ended, item.EndReason, item.Reason));
    }

    private static DispatchView View(string id, LoopState state, string? unit, DateTimeOffset? accept = null, int escalations = 0, EndReason? ended = null) =>
        new(id, state, 1 + escalations, unit, unit is null ? null : 110.4, escalations > 0 ? DispatchReason.Escalated : DispatchReason.NearestInCell, escalations,
            unit is null ? [] : [unit], accept, ended is not null, ended);
}
