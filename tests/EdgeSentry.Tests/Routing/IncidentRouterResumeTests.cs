using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Routing;
using EdgeSentry.Rules;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Routing;

/// <summary>
/// The loop state lives in the outbox database: a new router on the same file (a restarted process, with a clock of
/// its own) resumes it. Levels raised after dispatch and unassigned incidents retried when a unit comes on duty.
/// </summary>
public sealed class IncidentRouterResumeTests
{
    [Fact]
    public async Task ResumeAsync_SlaPassedWhileDown_ExactlyOneEscalationAtStartAndOpenIncidentEnded()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();
        await f.Router.RouteAsync(f.Incident(severity: 1));
        await f.BrokerAcknowledgesAllAsync();
        f.Time.Advance(TimeSpan.FromSeconds(100));

        // Down for 10 minutes: level 1's 300 s ran out while nobody was there. The new process's monotonic clock
        // starts elsewhere; only the wall clock links the two runs.
        var later = new ManualTimeProvider(f.Time.GetUtcNow() + TimeSpan.FromMinutes(10));
        await f.RestartAsync(later);
        List<OutgoingMessage> atStart = [.. await f.Router.ResumeAsync()];
        Assert.Equal(0, f.Router.Escalations);
        // The units' retained statuses arrive on subscribing, then the first SLA check.
        await f.OnDutyAsync();
        atStart.AddRange(await f.Router.ExpireDueAsync());

        string[] topics = [.. atStart.Select(m => m.Topic)];
        Assert.Equal(1, f.Router.Escalations);
        Assert.Equal(1, f.Router.EndedAtStart);
        JsonElement ended = RoutingFixture.Validated(atStart.Single(m => m.Topic == RoutingFixture.CameraAlerts));
        Assert.Equal("ended", ended.GetProperty("transition").GetString());
        Assert.Equal(2, ended.GetProperty("sequence").GetInt32());
        Assert.Single(atStart, m => m.Topic == "edgesentry/v1/units/u-near/alerts" && Json(m).GetProperty("event").GetString() == "withdrawn");
        Assert.Single(atStart, m => m.Topic == "edgesentry/v1/units/u-mid/alerts" && Json(m).GetProperty("event").GetString() == "dispatched");
        JsonElement state = RoutingFixture.Validated(atStart.Last(m => m.Topic == RoutingFixture.IncidentState("inc-1")));
        Assert.Equal("edge-restarted", state.GetProperty("endReason").GetString());
        Assert.Equal("u-mid", state.GetProperty("unitId").GetString());
        Assert.Equal(2, state.GetProperty("level").GetInt32());
        Assert.All(atStart, m => RoutingFixture.Validated(m));

        // Once: nothing more fires at start, and the new unit's 180 s run from its own delivery.
        Assert.Empty(await f.Router.ResumeAsync());
        Assert.Empty(await f.Router.ExpireDueAsync());
        later.Advance(TimeSpan.FromHours(1));
        Assert.Empty(await f.Router.ExpireDueAsync());
        Assert.Equal(1, f.Router.Escalations);
    }

    [Fact]
    public async Task ResumeAsync_SlaLeftWhenStopped_RemainderRunsAfterRestart()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();
        await f.Router.RouteAsync(f.Incident(severity: 1));
        await f.BrokerAcknowledgesAllAsync();
        f.Time.Advance(TimeSpan.FromSeconds(100));
        // A state change writes the row: 200 s left then.
        await f.Router.RouteAsync(f.Incident(transition: IncidentTransition.Updated, sequence: 2));

        var later = new ManualTimeProvider(f.Time.GetUtcNow() + TimeSpan.FromSeconds(50));
        await f.RestartAsync(later);
        await f.OnDutyAsync();
        await f.Router.ResumeAsync();

        Assert.Equal(0, f.Router.Escalations);
        later.Advance(TimeSpan.FromSeconds(149));
        Assert.Empty(await f.Router.ExpireDueAsync());
        later.Advance(TimeSpan.FromSeconds(1));
        Assert.NotEmpty(await f.Router.ExpireDueAsync());
        Assert.Equal("u-mid", (await f.Router.FindAsync("inc-1"))!.UnitId);
    }

    [Fact]
    public async Task ResumeAsync_WallClockBehindTheLastWrite_DowntimeCountsAsZeroNotNegative()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();
        await f.Router.RouteAsync(f.Incident(severity: 1));
        await f.BrokerAcknowledgesAllAsync();

        // The box comes back with its clock 25 h behind: the 300 s left are neither lost nor stretched.
        var earlier = new ManualTimeProvider(f.Time.GetUtcNow() - TimeSpan.FromHours(25));
        await f.RestartAsync(earlier);
        await f.OnDutyAsync();
        await f.Router.ResumeAsync();

        earlier.Advance(TimeSpan.FromSeconds(299));
        Assert.Empty(await f.Router.ExpireDueAsync());
        earlier.Advance(TimeSpan.FromSeconds(1));
        Assert.NotEmpty(await f.Router.ExpireDueAsync());
    }

    [Fact]
    public async Task ResumeAsync_DispatchStillInTheOutbox_ClockWaitsForItsDelivery()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();
        await f.Router.RouteAsync(f.Incident(severity: 1));

        var later = new ManualTimeProvider(f.Time.GetUtcNow() + TimeSpan.FromHours(2));
        await f.RestartAsync(later);
        await f.OnDutyAsync();
        await f.Router.ResumeAsync();
        later.Advance(TimeSpan.FromHours(1));

        Assert.Empty(await f.Router.ExpireDueAsync());
        await f.BrokerAcknowledgesAllAsync();
        later.Advance(TimeSpan.FromSeconds(299));
        Assert.Empty(await f.Router.ExpireDueAsync());
        later.Advance(TimeSpan.FromSeconds(1));
        Assert.NotEmpty(await f.Router.ExpireDueAsync());
    }

    [Fact]
    public async Task HandleAsync_AckAfterRestartForIncidentDispatchedBefore_AppliedAndStatePublished()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();
        await f.Router.RouteAsync(f.Incident(severity: 1));
        await f.BrokerAcknowledgesAllAsync();

        await f.RestartAsync(new ManualTimeProvider(f.Time.GetUtcNow() + TimeSpan.FromSeconds(30)));
        await f.OnDutyAsync();
        await f.Router.ResumeAsync();
        long before = f.Outbox.Depth;

        Assert.Equal(InputOutcome.Accepted, await f.AckAsync("u-near", "inc-1", "accepted"));

        DispatchView view = (await f.Router.FindAsync("inc-1"))!;
        Assert.Equal(LoopState.Accepted, view.State);
        Assert.Equal(before + 1, f.Outbox.Depth);
        Assert.Equal(InputOutcome.Accepted, await f.AckAsync("u-near", "inc-1", "resolved"));
        // Resolved and ended: nothing is left to resume.
        await f.RestartAsync(new ManualTimeProvider(f.Time.GetUtcNow()));
        Assert.Null(await f.Router.FindAsync("inc-1"));
    }

    [Fact]
    public async Task RouteAsync_SeverityRisesToThreeAfterDispatch_UnitToldNewLevelAndStreetEscalated()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();
        await f.Router.RouteAsync(f.Incident(severity: 1));

        IReadOnlyList<OutgoingMessage> sent = await f.Router.RouteAsync(f.Incident(transition: IncidentTransition.Updated, sequence: 2, severity: 3));

        JsonElement unit = RoutingFixture.Validated(sent.Single(m => m.Topic == "edgesentry/v1/units/u-near/alerts"));
        Assert.Equal("updated", unit.GetProperty("event").GetString());
        Assert.Equal(3, unit.GetProperty("level").GetInt32());
        Assert.Equal(3, RoutingFixture.Validated(sent.Single(m => m.Topic == "edgesentry/v1/escalations/street-east")).GetProperty("level").GetInt32());
        Assert.Equal(3, RoutingFixture.Validated(sent.Single(m => m.Topic == RoutingFixture.IncidentState("inc-1"))).GetProperty("level").GetInt32());
        // Once: a further update at level 3 does not reach the street again.
        IReadOnlyList<OutgoingMessage> again = await f.Router.RouteAsync(f.Incident(transition: IncidentTransition.Updated, sequence: 3, severity: 3));
        Assert.DoesNotContain(again, m => m.Topic.StartsWith("edgesentry/v1/escalations/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HandleAsync_UnitInRangeComesOnDuty_UnassignedIncidentDispatched()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync("u-near", "u-mid", "u-far", "u-nb");
        await f.Router.RouteAsync(f.Incident());
        Assert.Equal(LoopState.Unassigned, (await f.Router.FindAsync("inc-1"))!.State);
        long before = f.Outbox.Depth;

        f.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(InputOutcome.Accepted, await f.StatusAsync("u-mid", true));

        DispatchView view = (await f.Router.FindAsync("inc-1"))!;
        Assert.Equal(LoopState.Dispatched, view.State);
        Assert.Equal("u-mid", view.UnitId);
        Assert.Equal(before + 2, f.Outbox.Depth);
    }

    private static JsonElement Json(OutgoingMessage m)
    {
        using JsonDocument doc = JsonDocument.Parse(m.Payload);
        return doc.RootElement.Clone();
    }
}
