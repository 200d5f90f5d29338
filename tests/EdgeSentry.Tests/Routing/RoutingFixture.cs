using System.Text;
using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Detection;
using EdgeSentry.Routing;
using EdgeSentry.Rules;
using EdgeSentry.Tests.Contracts;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Routing;

/// <summary>
/// A small city: cells a, b, c side by side (a-b and b-c share an edge), a far cell, and a cell 47 m east of c.
/// Camera cam-1 stands in cell a; units u-near (95 m), u-mid (285 m), u-far (~600 m) in a, u-nb in b, u-away in far.
/// </summary>
internal sealed class RoutingFixture : IAsyncDisposable
{
    public const string EdgeId = "edge-r";
    public static readonly GeoPoint Camera = new(31.205, 121.405);
    /// <summary>cam-1's alert topic (cell a, this edge).</summary>
    public static readonly string CameraAlerts = AlertTopics.Alerts("cell-a", EdgeId, "cam-1");

    public static string IncidentState(string incidentId) => AlertTopics.IncidentState(EdgeId, incidentId);
    public static readonly ContractSchema IncidentSchema = ContractSchema.Load("incident.v4.schema.json");
    public static readonly ContractSchema DispatchSchema = ContractSchema.Load("dispatch.v1.schema.json");
    public static readonly ContractSchema StateSchema = ContractSchema.Load("incident-state.v2.schema.json");
    public static readonly ContractSchema StatusSchema = ContractSchema.Load("unit-status.v1.schema.json");
    public static readonly ContractSchema AckSchema = ContractSchema.Load("unit-ack.v1.schema.json");

    public static readonly UnitDefinition[] Units =
    [
        new("u-near", "Team near", "cell-a", new GeoPoint(31.205, 121.406)),
        new("u-mid", "Team mid", "cell-a", new GeoPoint(31.205, 121.408)),
        new("u-far", "Team far", "cell-a", new GeoPoint(31.209, 121.409)),
        new("u-nb", "Team next door", "cell-b", new GeoPoint(31.205, 121.415)),
        new("u-away", "Team away", "cell-far", new GeoPoint(31.205, 121.505)),
    ];

    private readonly string _directory = Directory.CreateTempSubdirectory("edgesentry-route-").FullName;

    public string DatabasePath => Path.Combine(_directory, "outbox.db");

    private RoutingFixture()
    {
    }

    public ManualTimeProvider Time { get; private set; } = new();
    /// <summary>What the router, outbox and builder run on: <see cref="Time"/>, or the system clock for throughput runs.</summary>
    public TimeProvider Clock { get; private set; } = null!;
    public AlertOutbox Outbox { get; private set; } = null!;
    public IncidentMessageBuilder Builder { get; private set; } = null!;
    public IncidentRouter Router { get; private set; } = null!;

    public static string GeoJson() => $$"""
        {"type":"FeatureCollection","features":[
          {{Cell("cell-a", "Gate A", "street-east", 121.40, 121.41)}},
          {{Cell("cell-b", "Market B", "street-east", 121.41, 121.42)}},
          {{Cell("cell-c", "Park C", "street-west", 121.42, 121.43)}},
          {{Cell("cell-gap", "Gap", "street-west", 121.4305, 121.44)}},
          {{Cell("cell-far", "Far", null, 121.50, 121.51)}}
        ]}
        """;

    public static string Cell(string id, string name, string? street, double lon0, double lon1)
    {
        string streetProperty = street is null ? "" : $",\"street\":\"{street}\"";
        return $$$"""
            {"type":"Feature","properties":{"id":"{{{id}}}","name":"{{{name}}}","community":"c-1"{{{streetProperty}}}},
             "geometry":{"type":"Polygon","coordinates":[[[{{{lon0}}},31.20],[{{{lon1}}},31.20],[{{{lon1}}},31.21],[{{{lon0}}},31.21],[{{{lon0}}},31.20]]]}}
            """;
    }

    public static async Task<RoutingFixture> CreateAsync(RoutingOptions? options = null, IEnumerable<UnitDefinition>? units = null, bool systemClock = false)
    {
        var f = new RoutingFixture();
        await f.OpenAsync(options, units, systemClock ? TimeProvider.System : f.Time);
        return f;
    }

    /// <summary>
    /// A new router, outbox and builder on the same database file, as a restarted process has them; the old ones are
    /// dropped without a clean stop, and <paramref name="time"/> is the new process's clock (its own monotonic origin).
    /// </summary>
    public async Task RestartAsync(ManualTimeProvider time, RoutingOptions? options = null)
    {
        Router.Dispose();
        await Outbox.DisposeAsync();
        Time = time;
        await OpenAsync(options, null, time);
    }

    /// <summary>
    /// Every stored message is acknowledged by the broker: the outbox's PUBACK path (the same call the sender makes
    /// on each PUBACK) deletes them and reports the delivery, which starts the SLA clocks of delivered dispatches.
    /// </summary>
    public async Task BrokerAcknowledgesAllAsync()
    {
        List<StoredMessage> stored = await Outbox.ReadAfterAsync(0, CancellationToken.None);
        await Outbox.DeleteAcknowledgedAsync(stored);
        // The router records the clocks' start under its gate; waiting for the gate waits for that.
        await Router.FindAsync("-");
    }

    private async Task OpenAsync(RoutingOptions? options, IEnumerable<UnitDefinition>? units, TimeProvider clock)
    {
        var f = this;
        f.Clock = clock;
        GridMap map = GridMap.Parse(Encoding.UTF8.GetBytes(GeoJson()), "test-grid.geojson");
        f.Outbox = AlertOutbox.Open(new OutboxOptions { DatabasePath = Path.Combine(f._directory, "outbox.db"), SurvivePowerLoss = false }, f.Clock);
        f.Builder = new IncidentMessageBuilder(EdgeId, [new AlertCamera("cam-1", "Gate camera", "cell-a"), new AlertCamera("cam-far", "Far camera", "cell-far")], f.Clock);
        f.Router = new IncidentRouter(
            map,
            new UnitRoster(units ?? Units, (options ?? new RoutingOptions()).StatusStaleAfter),
            [new RoutedCamera("cam-1", null, Camera), new RoutedCamera("cam-far", "cell-far", null)],
            options ?? new RoutingOptions(),
            f.Builder,
            f.Outbox,
            f.Clock);
        await Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        Router.Dispose();
        await Outbox.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    public static byte[] StatusJson(bool onDuty, DateTimeOffset at, GeoPoint? position = null, string? unitId = null)
    {
        var o = new Dictionary<string, object> { ["schema"] = "edgesentry/v1/unit-status", ["version"] = 1, ["onDuty"] = onDuty, ["at"] = Iso(at) };
        if (unitId is not null)
        {
            o["unitId"] = unitId;
        }

        if (position is { } p)
        {
            o["lat"] = p.Lat;
            o["lon"] = p.Lon;
        }

        return JsonSerializer.SerializeToUtf8Bytes(o);
    }

    public static byte[] AckJson(string incidentId, string status, DateTimeOffset at) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["schema"] = "edgesentry/v1/unit-ack", ["version"] = 1, ["incidentId"] = incidentId, ["status"] = status, ["at"] = Iso(at) });

    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");

    public Task<InputOutcome> StatusAsync(string unitId, bool onDuty, GeoPoint? position = null) =>
        Router.HandleAsync(new MqttMessage($"edgesentry/v1/units/{unitId}/status", StatusJson(onDuty, Clock.GetUtcNow(), position), 1, true));

    public Task<InputOutcome> AckAsync(string unitId, string incidentId, string status) =>
        Router.HandleAsync(new MqttMessage($"edgesentry/v1/units/{unitId}/acks", AckJson(incidentId, status, Clock.GetUtcNow()), 1, false));

    /// <summary>All units on duty except <paramref name="offDuty"/>.</summary>
    public async Task OnDutyAsync(params string[] offDuty)
    {
        foreach (UnitDefinition u in Units)
        {
            Assert.Equal(InputOutcome.Accepted, await StatusAsync(u.Id, !offDuty.Contains(u.Id)));
        }
    }

    public IncidentEvent Incident(string id = "inc-1", IncidentTransition transition = IncidentTransition.Started, int sequence = 1, int severity = 1, string camera = "cam-1") => new()
    {
        IncidentId = id,
        Sequence = sequence,
        Transition = transition,
        Kind = "loitering",
        RuleId = "gate-loiter",
        CameraId = camera,
        ZoneId = "gate",
        Severity = severity,
        ClassId = 0,
        Label = "person",
        Score = 0.9f,
        Box = new BoundingBox(10, 20, 30, 40),
        TrackId = 3,
        StartedPtsSeconds = 1,
        PtsSeconds = 1 + sequence,
        StartedAt = Clock.GetUtcNow(),
        At = Clock.GetUtcNow(),
        FrameWidth = 640,
        FrameHeight = 480,
        DurationSeconds = transition == IncidentTransition.Ended ? 5 : null,
        PeakObjectCount = transition == IncidentTransition.Ended ? 1 : null,
    };

    /// <summary>Validates a message against the schema its topic promises; returns the parsed payload.</summary>
    public static JsonElement Validated(string topic, ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty && topic.EndsWith("/state", StringComparison.Ordinal))
        {
            // The empty retained message that clears an incident's state once its loop is over.
            return default;
        }

        ContractSchema schema = topic.Split('/') switch
        {
            [_, _, "alerts", _, _, _] => IncidentSchema,
            [_, _, "units", _, "alerts"] => DispatchSchema,
            [_, _, "escalations", _] => DispatchSchema,
            [_, _, "incidents", _, _, "state"] => StateSchema,
            _ => throw new InvalidOperationException("no schema for topic " + topic),
        };
        Assert.Empty(schema.Validate(payload));
        using JsonDocument doc = JsonDocument.Parse(payload.ToArray());
        return doc.RootElement.Clone();
    }

    public static JsonElement Validated(OutgoingMessage m) => Validated(m.Topic, m.Payload);
}
