using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Routing;
using EdgeSentry.Rules;

namespace EdgeSentry.Tests.Routing;

public sealed class IncidentRouterTests
{
    [Fact]
    public async Task RouteAsync_ThreeUnitsNearestOffDuty_NearestOnDutyGetsItAndEveryMessageMatchesItsSchema()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync(offDuty: "u-near");

        IReadOnlyList<OutgoingMessage> sent = await f.Router.RouteAsync(f.Incident());

        Assert.Equal(
            [RoutingFixture.CameraAlerts, "edgesentry/v1/units/u-mid/alerts", RoutingFixture.IncidentState("inc-1")],
            sent.Select(m => m.Topic));
        JsonElement centre = RoutingFixture.Validated(sent[0]);
        Assert.Equal("u-mid", centre.GetProperty("dispatch").GetProperty("unitId").GetString());
        Assert.Equal("nearest-in-cell", centre.GetProperty("dispatch").GetProperty("reason").GetString());
        Assert.InRange(centre.GetProperty("dispatch").GetProperty("distanceMetres").GetDouble(), 280, 290);
        JsonElement unit = RoutingFixture.Validated(sent[1]);
        Assert.Equal("dispatched", unit.GetProperty("event").GetString());
        // The acceptance clock starts at the broker's PUBACK: a stored dispatch names no deadline yet.
        Assert.False(unit.TryGetProperty("acceptBy", out _));
        JsonElement state = RoutingFixture.Validated(sent[2]);
        Assert.Equal("dispatched", state.GetProperty("state").GetString());
        Assert.True(sent[2].Retain);
        Assert.Equal((int)new RoutingOptions().StateExpiry.TotalSeconds, sent[2].ExpirySeconds);
        Assert.Equal(3, f.Outbox.Depth);
    }

    [Fact]
    public async Task RouteAsync_AllOnDuty_PicksTheNearestInCell()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();

        await f.Router.RouteAsync(f.Incident());

        Assert.Equal("u-near", (await f.Router.FindAsync("inc-1"))!.UnitId);
    }

    [Fact]
    public async Task RouteAsync_LivePositionMovesAUnit_LivePositionWins()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();
        // u-far reports itself right beside the camera.
        Assert.Equal(InputOutcome.Accepted, await f.StatusAsync("u-far", true, new GeoPoint(31.2051, 121.4051)));

        await f.Router.RouteAsync(f.Incident());

        DispatchView view = (await f.Router.FindAsync("inc-1"))!;
        Assert.Equal("u-far", view.UnitId);
        Assert.InRange(view.DistanceMetres!.Value, 5, 20);
    }

    [Fact]
    public async Task RouteAsync_NoUnitOnDutyInCell_FallsBackToNeighbourCell()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync("u-near", "u-mid", "u-far");

        IReadOnlyList<OutgoingMessage> sent = await f.Router.RouteAsync(f.Incident());

        Assert.Equal("edgesentry/v1/units/u-nb/alerts", sent[1].Topic);
        Assert.Equal("neighbour-cell", RoutingFixture.Validated(sent[0]).GetProperty("dispatch").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task RouteAsync_OnlyFarUnitOnDuty_CentreOnlyWithNoUnit()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync("u-near", "u-mid", "u-far", "u-nb");

        IReadOnlyList<OutgoingMessage> sent = await f.Router.RouteAsync(f.Incident());

        Assert.Equal([RoutingFixture.CameraAlerts, RoutingFixture.IncidentState("inc-1")], sent.Select(m => m.Topic));
        JsonElement dispatch = RoutingFixture.Validated(sent[0]).GetProperty("dispatch");
        Assert.Equal("no-unit", dispatch.GetProperty("reason").GetString());
        Assert.False(dispatch.TryGetProperty("unitId", out _));
        Assert.Equal("unassigned", RoutingFixture.Validated(sent[1]).GetProperty("state").GetString());
    }

    [Fact]
    public async Task RouteAsync_StatusOlderThanStaleAge_TreatedAsOffDuty()
    {
        await using var f = await RoutingFixture.CreateAsync(new RoutingOptions { StatusStaleAfter = TimeSpan.FromMinutes(10) });
        await f.OnDutyAsync();
        f.Time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(InputOutcome.Accepted, await f.StatusAsync("u-mid", true));
        f.Time.Advance(TimeSpan.FromMinutes(2));

        await f.Router.RouteAsync(f.Incident());

        Assert.Equal("u-mid", (await f.Router.FindAsync("inc-1"))!.UnitId);
    }

    [Fact]
    public async Task RouteAsync_Level3_AlsoPublishedOnTheStreetTopic()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();

        IReadOnlyList<OutgoingMessage> sent = await f.Router.RouteAsync(f.Incident(severity: 3));

        OutgoingMessage street = Assert.Single(sent, m => m.Topic == "edgesentry/v1/escalations/street-east");
        JsonElement payload = RoutingFixture.Validated(street);
        Assert.Equal("street", payload.GetProperty("recipient").GetString());
        Assert.Equal(3, payload.GetProperty("level").GetInt32());
    }

    [Fact]
    public async Task RouteAsync_UpdatedAndEnded_GoToTheUnitHoldingTheIncident()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();
        await f.Router.RouteAsync(f.Incident());

        IReadOnlyList<OutgoingMessage> updated = await f.Router.RouteAsync(f.Incident(transition: IncidentTransition.Updated, sequence: 2));
        IReadOnlyList<OutgoingMessage> ended = await f.Router.RouteAsync(f.Incident(transition: IncidentTransition.Ended, sequence: 3));

        Assert.Equal([RoutingFixture.CameraAlerts, "edgesentry/v1/units/u-near/alerts"], updated.Select(m => m.Topic));
        Assert.Equal("updated", RoutingFixture.Validated(updated[1]).GetProperty("event").GetString());
        Assert.Equal([RoutingFixture.CameraAlerts, "edgesentry/v1/units/u-near/alerts", RoutingFixture.IncidentState("inc-1")], ended.Select(m => m.Topic));
        Assert.True(RoutingFixture.Validated(ended[2]).GetProperty("ended").GetBoolean());
        Assert.Equal(2, RoutingFixture.Validated(ended[2]).GetProperty("revision").GetInt32());
    }

    [Fact]
    public async Task ExpireDueAsync_NoAcceptWithinSla_NextNearestUnitAndLevelRises()
    {
        await using var f = await RoutingFixture.CreateAsync(new RoutingOptions { AcceptSlaSeconds = [120, 60, 30] });
        await f.OnDutyAsync();
        await f.Router.RouteAsync(f.Incident(severity: 1));
        await f.BrokerAcknowledgesAllAsync();

        f.Time.Advance(TimeSpan.FromSeconds(119));
        Assert.Empty(await f.Router.ExpireDueAsync());
        f.Time.Advance(TimeSpan.FromSeconds(1));
        IReadOnlyList<OutgoingMessage> escalated = await f.Router.ExpireDueAsync();

        Assert.Equal(
            ["edgesentry/v1/units/u-near/alerts", "edgesentry/v1/units/u-mid/alerts", RoutingFixture.IncidentState("inc-1")],
            escalated.Select(m => m.Topic));
        Assert.Equal("withdrawn", RoutingFixture.Validated(escalated[0]).GetProperty("event").GetString());
        JsonElement state = RoutingFixture.Validated(escalated[2]);
        Assert.Equal(2, state.GetProperty("level").GetInt32());
        Assert.Equal("escalated", state.GetProperty("reason").GetString());
        Assert.Equal("u-mid", state.GetProperty("unitId").GetString());
        Assert.Equal(1, state.GetProperty("escalations").GetInt32());
        // Level 2's SLA (60 s) runs from the new dispatch's delivery; its expiry reaches level 3 and the street office.
        await f.BrokerAcknowledgesAllAsync();
        f.Time.Advance(TimeSpan.FromSeconds(60));
        IReadOnlyList<OutgoingMessage> again = await f.Router.ExpireDueAsync();
        Assert.Contains(again, m => m.Topic == "edgesentry/v1/escalations/street-east");
        Assert.Equal(3, (await f.Router.FindAsync("inc-1"))!.Level);
        Assert.Equal("u-far", (await f.Router.FindAsync("inc-1"))!.UnitId);
        Assert.All(again, m => RoutingFixture.Validated(m));
    }

    [Fact]
    public async Task ExpireDueAsync_LevelAlreadyThree_StaysThree()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();
        await f.Router.RouteAsync(f.Incident(severity: 3));
        await f.BrokerAcknowledgesAllAsync();

        f.Time.Advance(TimeSpan.FromSeconds(60));
        await f.Router.ExpireDueAsync();

        Assert.Equal(3, (await f.Router.FindAsync("inc-1"))!.Level);
        Assert.Equal("u-mid", (await f.Router.FindAsync("inc-1"))!.UnitId);
    }

    [Fact]
    public async Task ExpireDueAsync_AcceptedInTime_NoEscalation()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();
        await f.Router.RouteAsync(f.Incident());

        Assert.Equal(InputOutcome.Accepted, await f.AckAsync("u-near", "inc-1", "accepted"));
        f.Time.Advance(TimeSpan.FromHours(1));

        Assert.Empty(await f.Router.ExpireDueAsync());
        Assert.Equal(LoopState.Accepted, (await f.Router.FindAsync("inc-1"))!.State);
    }

    [Fact]
    public async Task ExpireDueAsync_NoOtherUnitLeft_UnassignedAndCentreTold()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync("u-mid", "u-far", "u-nb");
        await f.Router.RouteAsync(f.Incident());
        await f.BrokerAcknowledgesAllAsync();

        f.Time.Advance(TimeSpan.FromSeconds(300));
        IReadOnlyList<OutgoingMessage> sent = await f.Router.ExpireDueAsync();

        JsonElement state = RoutingFixture.Validated(sent[^1]);
        Assert.Equal("unassigned", state.GetProperty("state").GetString());
        Assert.Equal("no-unit", state.GetProperty("reason").GetString());
        Assert.Equal(2, state.GetProperty("level").GetInt32());
    }

    [Fact]
    public async Task HandleAsync_AckFromUnitNotDispatchedTo_RejectedAndCounted()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();
        await f.Router.RouteAsync(f.Incident());
        long depth = f.Outbox.Depth;

        Assert.Equal(InputOutcome.NotDispatched, await f.AckAsync("u-mid", "inc-1", "accepted"));

        Assert.Equal(1, f.Router.AckCount(InputOutcome.NotDispatched));
        Assert.Equal(LoopState.Dispatched, (await f.Router.FindAsync("inc-1"))!.State);
        Assert.Equal(depth, f.Outbox.Depth);
    }

    [Fact]
    public async Task HandleAsync_AckFromPreviousUnitAfterEscalation_Rejected()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();
        await f.Router.RouteAsync(f.Incident());
        await f.BrokerAcknowledgesAllAsync();
        f.Time.Advance(TimeSpan.FromSeconds(300));
        await f.Router.ExpireDueAsync();

        Assert.Equal(InputOutcome.NotDispatched, await f.AckAsync("u-near", "inc-1", "accepted"));
        Assert.Equal(InputOutcome.Accepted, await f.AckAsync("u-mid", "inc-1", "accepted"));
    }

    [Fact]
    public async Task Meter_RejectedAckAndDispatch_ReportedWithTags()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();
        await f.Router.RouteAsync(f.Incident());
        await f.AckAsync("u-mid", "inc-1", "accepted");
        var seen = new Dictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == IncidentRouter.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string key = instrument.Name + "|" + string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}"));
            lock (seen)
            {
                seen[key] = seen.GetValueOrDefault(key) + value;
            }
        });
        listener.Start();

        listener.RecordObservableInstruments();

        Assert.True(seen.GetValueOrDefault("edgesentry.routing.unit_input|kind=ack,outcome=NotDispatched") >= 1);
        Assert.True(seen.GetValueOrDefault("edgesentry.routing.dispatches|reason=nearest-in-cell") >= 1);
    }

    [Fact]
    public async Task HandleAsync_AckForUnknownIncident_IgnoredAndCounted()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();

        Assert.Equal(InputOutcome.UnknownIncident, await f.AckAsync("u-near", "inc-404", "accepted"));
        Assert.Equal(1, f.Router.AckCount(InputOutcome.UnknownIncident));
    }

    [Fact]
    public async Task HandleAsync_AckProgression_StatesPublishedForwardOnly()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();
        await f.Router.RouteAsync(f.Incident());

        Assert.Equal(InputOutcome.Accepted, await f.AckAsync("u-near", "inc-1", "accepted"));
        Assert.Equal(InputOutcome.Duplicate, await f.AckAsync("u-near", "inc-1", "accepted"));
        Assert.Equal(InputOutcome.Accepted, await f.AckAsync("u-near", "inc-1", "on-site"));
        Assert.Equal(InputOutcome.OutOfOrder, await f.AckAsync("u-near", "inc-1", "accepted"));
        Assert.Equal(InputOutcome.Accepted, await f.AckAsync("u-near", "inc-1", "resolved"));

        Assert.Equal(LoopState.Resolved, (await f.Router.FindAsync("inc-1"))!.State);
        // started: centre, unit, state; then one state per accepted step, and the retained state cleared after resolved.
        Assert.Equal(7, f.Outbox.Depth);
    }

    [Fact]
    public async Task HandleAsync_StatusFromUnknownUnit_IgnoredAndCounted()
    {
        await using var f = await RoutingFixture.CreateAsync();

        Assert.Equal(InputOutcome.UnknownUnit, await f.StatusAsync("u-ghost", true));
        Assert.Equal(1, f.Router.StatusCount(InputOutcome.UnknownUnit));
    }

    [Fact]
    public async Task HandleAsync_OlderStatusAfterNewer_KeepsTheNewer()
    {
        await using var f = await RoutingFixture.CreateAsync();
        DateTimeOffset now = f.Time.GetUtcNow();
        await f.Router.HandleAsync(new MqttMessage("edgesentry/v1/units/u-near/status", RoutingFixture.StatusJson(true, now), 1, true));

        InputOutcome outcome = await f.Router.HandleAsync(new MqttMessage("edgesentry/v1/units/u-near/status", RoutingFixture.StatusJson(false, now.AddMinutes(-1)), 1, true));

        Assert.Equal(InputOutcome.OutOfOrder, outcome);
        Assert.True(f.Router.Roster.IsOnDuty("u-near", now));
    }

    [Fact]
    public async Task HandleAsync_SameRetainedStatusAgain_DuplicateNotRejected()
    {
        await using var f = await RoutingFixture.CreateAsync();
        var message = new MqttMessage("edgesentry/v1/units/u-near/status", RoutingFixture.StatusJson(true, f.Time.GetUtcNow()), 1, true);
        Assert.Equal(InputOutcome.Accepted, await f.Router.HandleAsync(message));

        Assert.Equal(InputOutcome.Duplicate, await f.Router.HandleAsync(message));
        Assert.True(f.Router.Roster.IsOnDuty("u-near", f.Time.GetUtcNow()));
    }

    [Fact]
    public async Task HandleAsync_EmptyRetainedStatus_UnitOffDuty()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();

        Assert.Equal(InputOutcome.Cleared, await f.Router.HandleAsync(new MqttMessage("edgesentry/v1/units/u-near/status", ReadOnlyMemory<byte>.Empty, 1, true)));

        Assert.False(f.Router.Roster.IsOnDuty("u-near", f.Time.GetUtcNow()));
    }

    [Fact]
    public async Task RouteAsync_BeyondMaxTracked_OldestForgottenAndCounted()
    {
        await using var f = await RoutingFixture.CreateAsync(new RoutingOptions { MaxTrackedIncidents = 2 });
        await f.OnDutyAsync();

        for (int i = 0; i < 3; i++)
        {
            await f.Router.RouteAsync(f.Incident($"inc-{i}"));
        }

        Assert.Null((await f.Router.FindAsync("inc-0")));
        Assert.NotNull((await f.Router.FindAsync("inc-2")));
        Assert.Equal(1, f.Router.Evicted);
    }

    [Fact]
    public async Task RouteAsync_CameraPlacedOnlyByGridId_DistanceFromCellCentre()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();

        IReadOnlyList<OutgoingMessage> sent = await f.Router.RouteAsync(f.Incident(camera: "cam-far"));

        Assert.Equal("edgesentry/v1/units/u-away/alerts", sent[1].Topic);
        JsonElement unit = RoutingFixture.Validated(sent[1]);
        Assert.False(unit.TryGetProperty("cameraLat", out _));
    }
}
