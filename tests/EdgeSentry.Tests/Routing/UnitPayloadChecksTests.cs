using EdgeSentry.Alerts;
using EdgeSentry.Routing;

namespace EdgeSentry.Tests.Routing;

/// <summary>Payload checks on top of the broker's ACL: clock skew and the empty retained status.</summary>
public sealed class UnitPayloadChecksTests
{
    [Theory]
    [InlineData(299, InputOutcome.Accepted)]
    [InlineData(301, InputOutcome.ClockSkew)]
    public async Task HandleAsync_StatusDatedAhead_BeyondTheSkewRejected(int aheadSeconds, InputOutcome expected)
    {
        await using var f = await RoutingFixture.CreateAsync(new RoutingOptions { MaxClockSkew = TimeSpan.FromSeconds(300) });
        byte[] json = RoutingFixture.StatusJson(true, f.Time.GetUtcNow().AddSeconds(aheadSeconds));

        InputOutcome outcome = await f.Router.HandleAsync(new MqttMessage("edgesentry/v1/units/u-near/status", json, 1, true));

        Assert.Equal(expected, outcome);
        Assert.Equal(expected == InputOutcome.Accepted, f.Router.Roster.StatusOf("u-near") is not null);
    }

    [Theory]
    [InlineData(299, InputOutcome.Accepted)]
    [InlineData(301, InputOutcome.ClockSkew)]
    public async Task HandleAsync_AckDatedAhead_BeyondTheSkewRejectedAndTheIncidentStaysDispatched(int aheadSeconds, InputOutcome expected)
    {
        await using var f = await RoutingFixture.CreateAsync(new RoutingOptions { MaxClockSkew = TimeSpan.FromSeconds(300) });
        await f.OnDutyAsync();
        await f.Router.RouteAsync(f.Incident());
        byte[] json = RoutingFixture.AckJson("inc-1", "accepted", f.Time.GetUtcNow().AddSeconds(aheadSeconds));

        InputOutcome outcome = await f.Router.HandleAsync(new MqttMessage("edgesentry/v1/units/u-near/acks", json, 1, false));

        Assert.Equal(expected, outcome);
        Assert.Equal(expected == InputOutcome.Accepted ? LoopState.Accepted : LoopState.Dispatched, (await f.Router.FindAsync("inc-1"))!.State);
    }

    [Fact]
    public async Task HandleAsync_EmptyRetainedStatus_StatusUnknownAndUnitOffDuty()
    {
        await using var f = await RoutingFixture.CreateAsync();
        Assert.Equal(InputOutcome.Accepted, await f.StatusAsync("u-near", true));
        Assert.True(f.Router.Roster.IsOnDuty("u-near", f.Time.GetUtcNow()));

        InputOutcome outcome = await f.Router.HandleAsync(new MqttMessage("edgesentry/v1/units/u-near/status", ReadOnlyMemory<byte>.Empty, 1, true));

        Assert.Equal(InputOutcome.Cleared, outcome);
        Assert.Null(f.Router.Roster.StatusOf("u-near"));
        Assert.False(f.Router.Roster.IsOnDuty("u-near", f.Time.GetUtcNow()));
        await f.Router.RouteAsync(f.Incident());
        Assert.NotEqual("u-near", (await f.Router.FindAsync("inc-1"))!.UnitId);
    }
}
