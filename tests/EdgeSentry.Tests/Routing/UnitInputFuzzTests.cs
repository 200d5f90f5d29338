using System.Text;
using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Routing;

namespace EdgeSentry.Tests.Routing;

/// <summary>
/// Hostile unit input: random bytes, oversized, wrong types, wrong and unknown ids. None of it may throw, be
/// accepted, or change the routing state (dispatch, unit statuses, outbox).
/// </summary>
public sealed class UnitInputFuzzTests
{
    private const int Cases = 4000;
    private static readonly string[] KnownUnits = ["u-near", "u-mid", "u-far", "u-nb", "u-away"];

    [Fact]
    public async Task HandleAsync_FuzzedAcksAndStatuses_NeverThrowNorChangeState()
    {
        await using var f = await RoutingFixture.CreateAsync();
        await f.OnDutyAsync();
        await f.Router.RouteAsync(f.Incident());
        DispatchView before = (await f.Router.FindAsync("inc-1"))!;
        var roster = Snapshot(f);
        long depth = f.Outbox.Depth;
        var random = new Random(20261123);
        var outcomes = new Dictionary<InputOutcome, int>();

        for (int i = 0; i < Cases; i++)
        {
            MqttMessage message = Hostile(random, f.Time.GetUtcNow(), i % 6);
            InputOutcome outcome = await f.Router.HandleAsync(message);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        Assert.DoesNotContain(InputOutcome.Accepted, outcomes.Keys);
        Assert.DoesNotContain(InputOutcome.Duplicate, outcomes.Keys);
        Assert.DoesNotContain(InputOutcome.Cleared, outcomes.Keys);
        Assert.Equal(Cases, outcomes.Values.Sum());
        // Every kind of rejection was exercised.
        foreach (InputOutcome expected in new[] { InputOutcome.Malformed, InputOutcome.Oversized, InputOutcome.UnknownUnit, InputOutcome.WrongUnit, InputOutcome.UnknownIncident, InputOutcome.NotDispatched, InputOutcome.OutOfOrder, InputOutcome.IgnoredTopic })
        {
            Assert.True(outcomes.GetValueOrDefault(expected) > 0, $"no case ended as {expected}");
        }

        DispatchView after = (await f.Router.FindAsync("inc-1"))!;
        Assert.Equal((before.State, before.UnitId, before.Level, before.Escalations, before.AcceptBy), (after.State, after.UnitId, after.Level, after.Escalations, after.AcceptBy));
        Assert.Equal(roster, Snapshot(f));
        Assert.Equal(depth, f.Outbox.Depth);
        long counted = Enum.GetValues<InputOutcome>().Sum(o => f.Router.AckCount(o) + f.Router.StatusCount(o));
        // The 5 statuses of OnDutyAsync were accepted; ignored topics are not counted per kind.
        Assert.Equal(Cases + 5 - outcomes.GetValueOrDefault(InputOutcome.IgnoredTopic), counted);
    }

    private static List<(string, UnitStatus?)> Snapshot(RoutingFixture f) =>
        KnownUnits.Select(u => (u, f.Router.Roster.StatusOf(u))).ToList();

    private static MqttMessage Hostile(Random random, DateTimeOffset now, int kind)
    {
        string unit = KnownUnits[random.Next(KnownUnits.Length)];
        bool ack = random.Next(2) == 0;
        string topic = $"edgesentry/v1/units/{unit}/{(ack ? "acks" : "status")}";
        switch (kind)
        {
            case 0:
            {
                // Random bytes, never empty (an empty retained status legitimately clears it).
                byte[] bytes = new byte[random.Next(1, 600)];
                random.NextBytes(bytes);
                return new MqttMessage(topic, bytes, 1, false);
            }

            case 1:
            {
                byte[] valid = ack ? RoutingFixture.AckJson("inc-1", "accepted", now) : RoutingFixture.StatusJson(false, now);
                byte[] padded = [.. valid, .. Enumerable.Repeat((byte)' ', random.Next(4097 - valid.Length, 20_000))];
                return new MqttMessage(topic, padded, 1, false);
            }

            case 2:
                return new MqttMessage(topic, WrongType(random, ack, now), 1, false);
            case 3:
                return WrongIds(random, now, unit);
            case 4:
            {
                // Truncated or bit-flipped valid JSON.
                byte[] valid = ack ? RoutingFixture.AckJson("inc-1", "accepted", now) : RoutingFixture.StatusJson(false, now);
                byte[] cut = valid.AsSpan(0, random.Next(1, valid.Length - 1)).ToArray();
                return new MqttMessage(topic, cut, 1, false);
            }

            default:
            {
                // Statuses that are well formed but dated in the future or older than the one held.
                DateTimeOffset at = random.Next(2) == 0 ? now.AddMinutes(random.Next(6, 10_000)) : now.AddSeconds(-random.Next(1, 10_000));
                return new MqttMessage($"edgesentry/v1/units/{unit}/status", RoutingFixture.StatusJson(false, at), 1, false);
            }
        }
    }

    private static byte[] WrongType(Random random, bool ack, DateTimeOffset now)
    {
        var fields = ack
            ? new Dictionary<string, object?> { ["incidentId"] = "inc-1", ["status"] = "accepted", ["at"] = RoutingFixture.Iso(now) }
            : new Dictionary<string, object?> { ["onDuty"] = false, ["at"] = RoutingFixture.Iso(now), ["lat"] = 31.2, ["lon"] = 121.4 };
        string field = fields.Keys.ElementAt(random.Next(fields.Count));
        object?[] wrong = field switch
        {
            "incidentId" => [42, "", new string('x', 257), null, true, new[] { "inc-1" }],
            "status" => ["done", 1, null, "ACCEPTED", new Dictionary<string, int>()],
            "at" => [123, "not a date", "2026-13-45T99:00:00Z", null, "2026-11-23T08:00:00", false],
            "onDuty" => ["yes", 1, null, new[] { true }, "false"],
            _ => ["31.2", 200.0, -181.0, null, double.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), true],
        };
        fields[field] = wrong[random.Next(wrong.Length)];
        if (random.Next(4) == 0)
        {
            fields["extra"] = random.Next();
        }

        return JsonSerializer.SerializeToUtf8Bytes(fields);
    }

    private static MqttMessage WrongIds(Random random, DateTimeOffset now, string unit) => random.Next(7) switch
    {
        // Valid acks from units the incident is not dispatched to.
        0 => new MqttMessage($"edgesentry/v1/units/{KnownUnits[1 + random.Next(KnownUnits.Length - 1)]}/acks", RoutingFixture.AckJson("inc-1", "accepted", now), 1, false),
        1 => new MqttMessage("edgesentry/v1/units/u-near/acks", RoutingFixture.AckJson($"inc-{random.Next(2, 1_000_000)}", "accepted", now), 1, false),
        2 => new MqttMessage($"edgesentry/v1/units/ghost-{random.Next(1000)}/acks", RoutingFixture.AckJson("inc-1", "accepted", now), 1, false),
        3 => new MqttMessage($"edgesentry/v1/units/ghost-{random.Next(1000)}/status", RoutingFixture.StatusJson(true, now), 1, true),
        4 => new MqttMessage($"edgesentry/v1/units/{unit}/status", RoutingFixture.StatusJson(false, now, unitId: "u-other"), 1, true),
        5 => new MqttMessage(
            "edgesentry/v1/units/u-near/acks",
            Encoding.UTF8.GetBytes($$"""{"unitId":"u-mid","incidentId":"inc-1","status":"accepted","at":"{{RoutingFixture.Iso(now)}}"}"""),
            1,
            false),
        _ => new MqttMessage(random.Next(2) == 0 ? "edgesentry/v1/units/u-near/acks/more" : "edgesentry/v1/units//acks", RoutingFixture.AckJson("inc-1", "accepted", now), 1, false),
    };
}
