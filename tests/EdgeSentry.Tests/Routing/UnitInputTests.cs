using System.Text;
using EdgeSentry.Routing;

namespace EdgeSentry.Tests.Routing;

public sealed class UnitInputTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryReadStatus_ValidPayload_AcceptedAndMatchesTheSchema()
    {
        byte[] json = RoutingFixture.StatusJson(true, At, new GeoPoint(31.2, 121.4), unitId: "u-1");

        InputOutcome outcome = UnitInput.TryReadStatus(json, "u-1", 4096, out UnitStatus? status);

        Assert.Equal(InputOutcome.Accepted, outcome);
        Assert.Equal(new UnitStatus(true, new GeoPoint(31.2, 121.4), At), status);
        Assert.Empty(RoutingFixture.StatusSchema.Validate(json));
    }

    [Fact]
    public void TryReadAck_ValidPayload_AcceptedAndMatchesTheSchema()
    {
        byte[] json = RoutingFixture.AckJson("inc-1", "on-site", At);

        Assert.Equal(InputOutcome.Accepted, UnitInput.TryReadAck(json, "u-1", 4096, out UnitAck? ack));
        Assert.Equal(new UnitAck("inc-1", AckStatus.OnSite, At), ack);
        Assert.Empty(RoutingFixture.AckSchema.Validate(json));
    }

    [Theory]
    [InlineData("""{"onDuty":"yes","at":"2026-11-23T08:00:00Z"}""")]
    [InlineData("""{"onDuty":true}""")]
    [InlineData("""{"onDuty":true,"at":"yesterday"}""")]
    [InlineData("""{"onDuty":true,"at":"2026-11-23T08:00:00"}""")]
    [InlineData("""{"onDuty":true,"at":"2026-11-23T08:00:00Z","lat":31.2}""")]
    [InlineData("""{"onDuty":true,"at":"2026-11-23T08:00:00Z","lat":91,"lon":0}""")]
    [InlineData("""{"onDuty":true,"at":"2026-11-23T08:00:00Z","battery":80}""")]
    [InlineData("""{"onDuty":true,"onDuty":false,"at":"2026-11-23T08:00:00Z"}""")]
    [InlineData("""{"schema":"edgesentry/v1/unit-ack","onDuty":true,"at":"2026-11-23T08:00:00Z"}""")]
    [InlineData("""[true]""")]
    [InlineData("""{"onDuty":true,"at":"2026-11-23T08:00:00Z",""")]
    public void TryReadStatus_NotTheSchema_Malformed(string json)
    {
        Assert.Equal(InputOutcome.Malformed, UnitInput.TryReadStatus(Encoding.UTF8.GetBytes(json), "u-1", 4096, out UnitStatus? status));
        Assert.Null(status);
    }

    [Theory]
    [InlineData("""{"incidentId":"i","status":"done","at":"2026-11-23T08:00:00Z"}""")]
    [InlineData("""{"incidentId":7,"status":"accepted","at":"2026-11-23T08:00:00Z"}""")]
    [InlineData("""{"incidentId":"","status":"accepted","at":"2026-11-23T08:00:00Z"}""")]
    [InlineData("""{"status":"accepted","at":"2026-11-23T08:00:00Z"}""")]
    [InlineData("""{"incidentId":"i","status":"accepted","at":"2026-11-23T08:00:00Z","version":2}""")]
    [InlineData("""{"incidentId":"i","status":"accepted","at":"2026-11-23T08:00:00Z","nested":{"a":{"b":{"c":{}}}}}""")]
    public void TryReadAck_NotTheSchema_Malformed(string json)
    {
        Assert.Equal(InputOutcome.Malformed, UnitInput.TryReadAck(Encoding.UTF8.GetBytes(json), "u-1", 4096, out _));
    }

    [Fact]
    public void TryReadAck_LongestIdAnEdgeMints_AcceptedAndMatchesTheSchemaButNotLonger()
    {
        // 64-character edge, camera and rule ids, the start time and the largest counter: 234 characters.
        string longest = $"{new string('e', 64)}:{new string('c', 64)}-{new string('r', 64)}-20261202T010203004Z-{long.MaxValue}";
        Assert.Equal(234, longest.Length);
        byte[] json = RoutingFixture.AckJson(longest, "accepted", At);
        byte[] tooLong = RoutingFixture.AckJson(new string('x', 257), "accepted", At);

        Assert.Equal(InputOutcome.Accepted, UnitInput.TryReadAck(json, "u-1", 4096, out UnitAck? ack));
        Assert.Equal(longest, ack!.IncidentId);
        Assert.Empty(RoutingFixture.AckSchema.Validate(json));
        Assert.Equal(InputOutcome.Malformed, UnitInput.TryReadAck(tooLong, "u-1", 4096, out _));
        Assert.NotEmpty(RoutingFixture.AckSchema.Validate(tooLong));
    }

    [Fact]
    public void TryReadAck_UnitIdDiffersFromTopic_WrongUnit()
    {
        byte[] json = Encoding.UTF8.GetBytes("""{"unitId":"u-2","incidentId":"i","status":"accepted","at":"2026-11-23T08:00:00Z"}""");

        Assert.Equal(InputOutcome.WrongUnit, UnitInput.TryReadAck(json, "u-1", 4096, out _));
    }

    [Fact]
    public void TryReadStatus_LargerThanLimit_OversizedWithoutParsing()
    {
        byte[] json = RoutingFixture.StatusJson(true, At);
        byte[] padded = [.. json, .. Enumerable.Repeat((byte)' ', 4097 - json.Length)];

        Assert.Equal(InputOutcome.Oversized, UnitInput.TryReadStatus(padded, "u-1", 4096, out _));
        Assert.Equal(InputOutcome.Accepted, UnitInput.TryReadStatus(padded.AsSpan(0, 4096), "u-1", 4096, out _));
    }

    [Theory]
    [InlineData("edgesentry/v1/units/u-1/acks", true, "u-1", "acks")]
    [InlineData("edgesentry/v1/units/u-1/status", true, "u-1", "status")]
    [InlineData("edgesentry/v1/units/u-1/alerts", false, "u-1", "alerts")]
    [InlineData("edgesentry/v1/units//acks", false, "", "")]
    [InlineData("edgesentry/v1/units/u-1/acks/x", false, "", "")]
    [InlineData("edgesentry/v2/units/u-1/acks", false, "", "")]
    public void TryParseTopic_Variants_OnlyStatusAndAcksOfOneUnit(string topic, bool ok, string unit, string kind)
    {
        Assert.Equal(ok, UnitInput.TryParseTopic(topic, out string u, out string k));
        if (ok)
        {
            Assert.Equal((unit, kind), (u, k));
        }
    }
}
