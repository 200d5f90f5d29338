using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Configuration;
using EdgeSentry.Pipeline;
using EdgeSentry.Tests.Peers;
using EdgeSentry.Tests.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Tests.Routing;

/// <summary>The routing section of the configuration, checked by the validator and wired through the running node.</summary>
public sealed class RoutingWiringTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edgesentry-routing-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string GridFile()
    {
        // grid-7 around the yard camera (31.23, 121.47); grid-8 east of it.
        string path = Path.Combine(_directory, "grid.geojson");
        File.WriteAllText(path, $$"""
            {"type":"FeatureCollection","features":[
              {{RoutingFixture.Cell("grid-7", "Yard", "street-9", 121.46, 121.48).Replace("31.20", "31.22", StringComparison.Ordinal).Replace("31.21", "31.24", StringComparison.Ordinal)}},
              {{RoutingFixture.Cell("grid-8", "East", "street-9", 121.48, 121.50).Replace("31.20", "31.22", StringComparison.Ordinal).Replace("31.21", "31.24", StringComparison.Ordinal)}}
            ]}
            """);
        return path;
    }

    [Fact]
    public void Validate_RoutingSectionWithBadUnitsAndCamera_ReportsEachWithItsPath()
    {
        EdgeSentrySection o = EdgeNodeTests.Options(1883, EdgeNodeTests.YardCamera("yard-1", "rtsp://127.0.0.1/x"), EdgeNodeTests.YardCamera("yard-2", "rtsp://127.0.0.1/y"));
        o.Cameras[1].GridId = "grid-zz";
        o.Cameras[1].Latitude = 10;
        o.Cameras[1].Longitude = 10;
        o.Routing = new RoutingSection { GridMap = GridFile(), AcceptSlaSeconds = [60, 30] };
        o.Units = [new UnitSection { Id = "u-1", GridId = "grid-7" }, new UnitSection { Id = "u-1", GridId = "grid-99", Latitude = 1 }];
        var errors = new List<string>();

        ConfigValidator.Validate(o, errors, null);

        Assert.Contains("$.routing.acceptSlaSeconds: three values (levels 1, 2, 3), each 1-86400 seconds", errors);
        Assert.Contains("$.units[1].id: 'u-1' is used by another unit", errors);
        Assert.Contains("$.units[1].gridId: 'grid-99' is not a cell of the grid map", errors);
        Assert.Contains("$.units[1]: latitude [-90, 90] and longitude [-180, 180] go together", errors);
        Assert.Contains(errors, e => e.StartsWith("$.cameras[1].gridId: camera 'yard-2' at 10,10 lies in no grid cell", StringComparison.Ordinal));
        Assert.False(errors.Any(e => e.StartsWith("$.cameras[0].gridId", StringComparison.Ordinal)), string.Join("\n", errors));
    }

    [Fact]
    public void Validate_BrokenGridMap_ErrorsCarryFileAndJsonPath()
    {
        string path = Path.Combine(_directory, "broken.geojson");
        File.WriteAllText(path, """{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null}]}""");
        EdgeSentrySection o = EdgeNodeTests.Options(1883, EdgeNodeTests.YardCamera("yard-1", "rtsp://127.0.0.1/x"));
        o.Routing = new RoutingSection { GridMap = path };
        o.Units = [new UnitSection { Id = "u-1", GridId = "grid-7" }];
        var errors = new List<string>();

        ConfigValidator.Validate(o, errors, null);

        Assert.Contains($"$.routing.gridMap ({path}): $.features[0].properties.id: missing", errors);
        Assert.Contains($"$.routing.gridMap ({path}): $.features[0].geometry: expected a Polygon or MultiPolygon", errors);
    }

    [Fact]
    public void Validate_UnitsWithoutRouting_Rejected()
    {
        EdgeSentrySection o = EdgeNodeTests.Options(1883, EdgeNodeTests.YardCamera("yard-1", "rtsp://127.0.0.1/x"));
        o.Units = [new UnitSection { Id = "u-1", GridId = "grid-7" }];
        var errors = new List<string>();

        ConfigValidator.Validate(o, errors, null);

        Assert.Contains("$.units: units are only used with a routing section (routing.gridMap)", errors);
    }

    [Fact]
    public async Task RunAsync_RoutingConfigured_RealIncidentDispatchedToTheOnDutyUnit()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var phone = new EdgeSentry.Alerts.MqttConnection(new EdgeSentry.Alerts.MqttConnectionOptions { Host = broker.Host, Port = broker.Port, ClientId = "phone" });
        await phone.ConnectAsync(MqttTestSubscriber.Cap());
        await phone.PublishAsync("edgesentry/v1/units/u-yard/status", RoutingFixture.StatusJson(true, DateTimeOffset.UtcNow), 1, retain: true);
        await using var subscriber = await MqttTestSubscriber.StartAsync(broker, "edgesentry/v1/#");
        CameraSection camera = EdgeNodeTests.YardCamera("yard-1", SharedPaths.Clip("intel_worker_zone_preview_h264.mp4"));
        camera.Loop = true;
        EdgeSentrySection options = EdgeNodeTests.Options(broker.Port, camera);
        options.Routing = new RoutingSection { GridMap = GridFile() };
        options.Units =
        [
            new UnitSection { Id = "u-yard", GridId = "grid-7", Latitude = 31.231, Longitude = 121.47 },
            new UnitSection { Id = "u-east", GridId = "grid-8", Latitude = 31.23, Longitude = 121.49 },
        ];
        var errors = new List<string>();
        ConfigValidator.Validate(options, errors, null);
        // Without the model's labels (null) the validator cannot check rule classes; everything else must pass.
        Assert.True(errors.All(e => e.Contains("is not a label of the model", StringComparison.Ordinal)), string.Join("\n", errors));
        var node = new EdgeNode(options, TimeProvider.System, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        Task run = node.RunAsync(stop.Token);
        CancellationToken cap = MqttTestSubscriber.Cap(90);

        var alert = await subscriber.WaitForAsync(m => m.Topic == AlertTopics.Alerts("grid-7", "edge-test", "yard-1"), cap);
        var dispatched = await subscriber.WaitForAsync(m => m.Topic == "edgesentry/v1/units/u-yard/alerts", cap);
        var state = await subscriber.WaitForAsync(m => m.Topic.StartsWith("edgesentry/v1/incidents/", StringComparison.Ordinal), cap);
        await stop.CancelAsync();
        await run;

        JsonElement decision = RoutingFixture.Validated(alert.Topic, alert.Payload.Span).GetProperty("dispatch");
        Assert.Equal("u-yard", decision.GetProperty("unitId").GetString());
        Assert.Equal("nearest-in-cell", decision.GetProperty("reason").GetString());
        Assert.InRange(decision.GetProperty("distanceMetres").GetDouble(), 100, 120);
        Assert.Equal("dispatched", RoutingFixture.Validated(dispatched.Topic, dispatched.Payload.Span).GetProperty("event").GetString());
        Assert.Equal("dispatched", RoutingFixture.Validated(state.Topic, state.Payload.Span).GetProperty("state").GetString());
        // The state topic sits under the edge and names the incident by its edge-scoped id, the same id the camera alert carries.
        string incidentId = RoutingFixture.Validated(alert.Topic, alert.Payload.Span).GetProperty("incidentId").GetString()!;
        Assert.StartsWith("edge-test:yard-1-", incidentId, StringComparison.Ordinal);
        Assert.Equal(AlertTopics.IncidentState("edge-test", incidentId), state.Topic);
    }
}
