using System.Text.Json.Nodes;
using EdgeSentry.Configuration;
using EdgeSentry.Tests.Peers;
using EdgeSentry.Tests.Routing;

namespace EdgeSentry.Tests.Configuration;

/// <summary>
/// One row per validation rule: a JSON fragment merged into a valid configuration (objects merge key by key,
/// arrays element by element, an empty array replaces), then the real loader and validator; the row names the
/// error's path and a fragment of its message. Placeholders: MODEL, CLIP, GRID (files that exist), DIR (the
/// test's directory). Loaded as the service loads it (<see cref="ServiceConfiguration.Load"/>), so
/// rule classes are checked against the model's labels.
/// </summary>
public sealed class ConfigValidatorTests : IDisposable
{
    /// <summary>A valid routing setup (grid map, one unit, the camera in a cell) to break one routing rule in.</summary>
    private const string Routing = """{ "routing": { "gridMap": "GRID" }, "units": [ { "id": "u-1", "gridId": "cell-a" } ], "cameras": [ { "gridId": "cell-a" } ] }""";

    private readonly string _dir = Directory.CreateTempSubdirectory("edgesentry-validator-").FullName;

    public ConfigValidatorTests()
    {
        File.WriteAllText(Path.Combine(_dir, "grid.geojson"), RoutingFixture.GeoJson());
    }

    public static TheoryData<string, string, string> Rules() => new()
    {
        // Top level
        { """{ "edgeId": "edge 01" }""", "$.edgeId", "must be 1-64 letters, digits" },
        { """{ "statsIntervalSeconds": 0 }""", "$.statsIntervalSeconds", "must be between 1 and 3600" },
        { """{ "http": { "listen": "nowhere" } }""", "$.http.listen", "must be address:port" },
        { """{ "outbox": { "maxMessages": 99 } }""", "$.outbox.maxMessages", "must be between 100 and 10,000,000" },
        { """{ "outbox": { "maxAgeHours": 0 } }""", "$.outbox.maxAgeHours", "must be in (0, 720]" },
        { """{ "outbox": { "maxBytes": 1048575 } }""", "$.outbox.maxBytes", "must be between 1 MiB (1048576) and 1 TiB" },
        { """{ "outbox": { "maxBytes": 1099511627777 } }""", "$.outbox.maxBytes", "must be between 1 MiB (1048576) and 1 TiB" },

        // MQTT
        { """{ "mqtt": { "host": " " } }""", "$.mqtt.host", "a broker host is needed" },
        { """{ "mqtt": { "port": 0 } }""", "$.mqtt.port", "is not a TCP port" },
        { """{ "mqtt": { "keepAliveSeconds": 4 } }""", "$.mqtt.keepAliveSeconds", "must be between 5 and 3600" },
        { """{ "mqtt": { "connectTimeoutSeconds": 0 } }""", "$.mqtt.connectTimeoutSeconds", "must be in (0, 300]" },
        { """{ "mqtt": { "username": "u", "password": "p", "passwordEnvironmentVariable": "HOME" } }""", "$.mqtt", "either password or passwordEnvironmentVariable, not both" },
        { """{ "mqtt": { "username": "u", "passwordEnvironmentVariable": "EDGESENTRY_TEST_UNSET_VARIABLE" } }""", "$.mqtt.passwordEnvironmentVariable", "EDGESENTRY_TEST_UNSET_VARIABLE is not set" },
        { """{ "mqtt": { "password": "p" } }""", "$.mqtt.username", "a password needs a username" },
        { """{ "mqtt": { "tls": { } } }""", "$.mqtt.tls.caFile", "TLS needs a CA file" },
        { """{ "mqtt": { "tls": { "caFile": "DIR/missing-ca.pem" } } }""", "$.mqtt.tls.caFile", "file not found" },
        { """{ "mqtt": { "tls": { "caFile": "GRID", "certFile": "GRID" } } }""", "$.mqtt.tls", "certFile and keyFile go together" },

        // Detector
        { """{ "detector": { "model": "DIR/missing.onnx" } }""", "$.detector.model", "model file not found" },
        { """{ "detector": { "workers": 0 } }""", "$.detector.workers", "must be between 1 and 64" },
        { """{ "detector": { "intraOpThreads": 65 } }""", "$.detector.intraOpThreads", "must be between 1 and 64" },
        { """{ "detector": { "scoreThreshold": 1 } }""", "$.detector.scoreThreshold", "must be in (0, 1)" },
        { """{ "detector": { "executionProvider": "gpu" } }""", "$.detector.executionProvider", "'gpu' is not one of" },
        { """{ "detector": { "providerOptions": { "device_id": "0" } } }""", "$.detector.providerOptions", "the cpu provider takes no options" },
        { """{ "detector": { "executionProvider": "cuda", "providerOptions": { "": "0" } } }""", "$.detector.providerOptions", "needs a non-empty key" },

        // Cameras
        { """{ "cameras": [] }""", "$.cameras", "at least one camera is needed" },
        { """{ "cameras": [ { "id": "cam 1" } ] }""", "$.cameras[0].id", "must be 1-64 letters, digits" },
        { """{ "cameras": [ { }, { "id": "cam-1", "url": "CLIP" } ] }""", "$.cameras[1].id", "is used by another camera" },
        { """{ "cameras": [ { "gridId": "grid/1" } ] }""", "$.cameras[0].gridId", "must be 1-64 letters, digits" },
        { """{ "cameras": [ { "url": "rtsp://" } ] }""", "$.cameras[0].url", "is not a valid URL" },
        { """{ "cameras": [ { "url": "ftp://host/clip.mp4" } ] }""", "$.cameras[0].url", "scheme 'ftp' is not supported" },
        { """{ "cameras": [ { "url": "DIR/missing.mp4" } ] }""", "$.cameras[0].url", "file not found" },
        { """{ "cameras": [ { "latitude": 91, "longitude": 0 } ] }""", "$.cameras[0].latitude", "is outside [-90, 90]" },
        { """{ "cameras": [ { "latitude": 0, "longitude": -181 } ] }""", "$.cameras[0].longitude", "is outside [-180, 180]" },
        { """{ "cameras": [ { "latitude": 31.2 } ] }""", "$.cameras[0]", "latitude and longitude go together" },
        { """{ "cameras": [ { "maxFps": 0 } ] }""", "$.cameras[0].maxFps", "must be in (0, 120]" },
        { """{ "cameras": [ { "stallSeconds": 0.5 } ] }""", "$.cameras[0].stallSeconds", "must be between 1 and 300" },
        { """{ "cameras": [ { "reconnectMaxSeconds": 0 } ] }""", "$.cameras[0].reconnectMaxSeconds", "must be between 0.1 and 600" },
        { """{ "cameras": [ { "maxDecodeWidth": 32 } ] }""", "$.cameras[0].maxDecodeWidth", "must be between 64 and 7680" },
        { """{ "cameras": [ { "analytics": { "rules": [ { "id": "r-1", "kind": "intrusion", "zone": "nowhere", "classes": [ "person" ] } ] } } ] }""", "$.cameras[0].analytics.rules[0].zone", "'nowhere' is not a zone of this camera" },
        { """{ "cameras": [ { "analytics": { "zones": [ { "id": "z", "polygon": [ [ 0, 0 ], [ 1, 0 ], [ 1, 1 ] ] } ], "rules": [ { "id": "r-1", "kind": "intrusion", "zone": "z", "classes": [ "persn" ] } ] } } ] }""", "$.cameras[0].analytics.rules[0].classes[0]", "'persn' is not a label of the model" },
        { """{ "cameras": [ { "detection": { "policy": "sometimes" } } ] }""", "$.cameras[0].detection.policy", "'sometimes' is not a detection policy" },

        // Routing and units
        { """{ "units": [ { "id": "u-1", "gridId": "cell-a" } ] }""", "$.units", "only used with a routing section" },
        { Routed("""{ "routing": { "gridMap": "" } }"""), "$.routing.gridMap", "a GeoJSON file of the grid cells is needed" },
        { """{ "routing": { "gridMap": "CLIP" }, "units": [ { "id": "u-1", "gridId": "cell-a" } ] }""", "$.routing.gridMap (", "" },
        { Routed("""{ "routing": { "neighbourDistanceMetres": -1 } }"""), "$.routing.neighbourDistanceMetres", "must be between 0 and 10000" },
        { Routed("""{ "routing": { "statusStaleAfterSeconds": 5 } }"""), "$.routing.statusStaleAfterSeconds", "must be between 10 and 86400" },
        { Routed("""{ "routing": { "maxInputBytes": 100 } }"""), "$.routing.maxInputBytes", "must be between 256 and 65536" },
        { Routed("""{ "routing": { "acceptSlaSeconds": [ 60, 30 ] } }"""), "$.routing.acceptSlaSeconds", "three values (levels 1, 2, 3)" },
        { Routed("""{ "routing": { "maxTrackedIncidents": 0 } }"""), "$.routing.maxTrackedIncidents", "must be between 1 and 1000000" },
        { Routed("""{ "units": [] }"""), "$.units", "routing needs at least one unit" },
        { Routed("""{ "units": [ { "id": "u 1" } ] }"""), "$.units[0].id", "must be 1-64 letters, digits" },
        { Routed("""{ "units": [ { }, { "id": "u-1", "gridId": "cell-b" } ] }"""), "$.units[1].id", "is used by another unit" },
        { Routed("""{ "units": [ { "gridId": "cell-z" } ] }"""), "$.units[0].gridId", "'cell-z' is not a cell of the grid map" },
        { Routed("""{ "units": [ { "latitude": 31.2 } ] }"""), "$.units[0]", "latitude [-90, 90] and longitude [-180, 180] go together" },
        { Routed("""{ "cameras": [ { "gridId": "cell-z" } ] }"""), "$.cameras[0].gridId", "cell-z" },

        // Demo
        { """{ "demo": { "rtspServer": { "port": 0 } } }""", "$.demo.rtspServer.port", "is not a TCP port" },
        { """{ "demo": { "rtspServer": { "clips": { "bad name": "CLIP" } } } }""", "$.demo.rtspServer.clips.bad name", "mount names are letters, digits" },
        { """{ "demo": { "rtspServer": { "clips": { "gone": "DIR/missing.mp4" } } } }""", "$.demo.rtspServer.clips.gone", "clip not found" },
    };

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Routed(string fragment)
    {
        var merged = JsonNode.Parse(Routing)!.AsObject();
        Merge(merged, JsonNode.Parse(fragment)!.AsObject());
        return merged.ToJsonString();
    }

    [Fact]
    public void Load_BaseConfiguration_IsValid()
    {
        var options = ServiceConfiguration.Load(Write("{}"));

        Assert.Equal("cam-1", Assert.Single(options.Cameras).Id);
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Load_OneRuleBroken_ReportsThatRuleAtItsPath(string fragment, string path, string message)
    {
        var errors = Errors(fragment);

        // Exactly the broken rule: the base configuration is valid, so any other error is a rule misfiring.
        string error = Assert.Single(errors);
        Assert.StartsWith(path, error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EveryRuleBrokenAtOnce_ReportsEveryError()
    {
        // The rows that break distinct keys, merged into one file: the validator must not stop at the first.
        string[] fragments =
        [
            """{ "edgeId": "edge 01", "statsIntervalSeconds": 0, "http": { "listen": "nowhere" } }""",
            """{ "outbox": { "maxMessages": 99, "maxBytes": 0, "maxAgeHours": 0 } }""",
            """{ "mqtt": { "port": 0, "keepAliveSeconds": 4, "connectTimeoutSeconds": 0, "password": "p" } }""",
            """{ "detector": { "workers": 0, "intraOpThreads": 65, "scoreThreshold": 1, "executionProvider": "gpu" } }""",
            """{ "cameras": [ { "maxFps": 0, "stallSeconds": 0.5, "reconnectMaxSeconds": 0, "maxDecodeWidth": 32, "latitude": 31.2 }, { "id": "cam-1", "url": "ftp://host/clip.mp4" } ] }""",
            """{ "units": [ { "id": "u-1", "gridId": "cell-a" } ] }""",
            """{ "demo": { "rtspServer": { "port": 0, "clips": { "gone": "DIR/missing.mp4" } } } }""",
        ];
        var merged = new JsonObject();
        foreach (string f in fragments)
        {
            Merge(merged, JsonNode.Parse(f)!.AsObject());
        }

        var errors = Errors(merged.ToJsonString());

        string[] expected =
        [
            "$.edgeId", "$.statsIntervalSeconds", "$.http.listen", "$.outbox.maxMessages", "$.outbox.maxBytes", "$.outbox.maxAgeHours",
            "$.mqtt.port", "$.mqtt.keepAliveSeconds", "$.mqtt.connectTimeoutSeconds", "$.mqtt.username",
            "$.detector.workers", "$.detector.intraOpThreads", "$.detector.scoreThreshold", "$.detector.executionProvider",
            "$.cameras[0].maxFps", "$.cameras[0].stallSeconds", "$.cameras[0].reconnectMaxSeconds", "$.cameras[0].maxDecodeWidth",
            "$.cameras[0]: latitude and longitude", "$.cameras[1].id", "$.cameras[1].url", "$.units", "$.demo.rtspServer.port",
            "$.demo.rtspServer.clips.gone",
        ];
        foreach (string path in expected)
        {
            Assert.True(errors.Any(e => e.StartsWith(path, StringComparison.Ordinal)), $"no error at {path}:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
        }

        Assert.Equal(expected.Length, errors.Count);
    }

    [Fact]
    public void Load_UnknownKeys_AllReportedWithASuggestion()
    {
        var errors = Errors("""{ "edgeID": "edge-01", "mqtt": { "hots": "x" }, "cameras": [ { "maxFPS": 5 } ] }""");

        Assert.Contains("$.edgeID: unknown key (did you mean 'edgeId'?)", errors);
        Assert.Contains("$.mqtt.hots: unknown key (did you mean 'host'?)", errors);
        Assert.Contains("$.cameras[0].maxFPS: unknown key (did you mean 'maxFps'?)", errors);
    }

    private List<string> Errors(string fragment)
    {
        var e = Assert.Throws<ConfigurationException>(() => ServiceConfiguration.Load(Write(fragment)));
        return [.. e.Errors];
    }

    private string Write(string fragment)
    {
        var config = JsonNode.Parse($$"""
            {
              "edgeId": "edge-01",
              "mqtt": { "host": "127.0.0.1", "port": 1883 },
              "detector": { "model": "MODEL" },
              "outbox": { "path": "DIR/outbox.db" },
              "cameras": [ { "id": "cam-1", "url": "CLIP" } ]
            }
            """)!.AsObject();
        Merge(config, JsonNode.Parse(fragment)!.AsObject());
        string text = config.ToJsonString()
            .Replace("MODEL", SharedPaths.Model("yolox_nano.onnx"), StringComparison.Ordinal)
            .Replace("CLIP", SharedPaths.Clip("intel_parking_cars.mp4"), StringComparison.Ordinal)
            .Replace("GRID", Path.Combine(_dir, "grid.geojson"), StringComparison.Ordinal)
            .Replace("DIR", _dir, StringComparison.Ordinal);
        string file = Path.Combine(_dir, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(file, text);
        return file;
    }

    /// <summary>Objects merge key by key, arrays element by element (extra elements are appended); an empty array replaces.</summary>
    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            switch (value)
            {
                case JsonObject o when target[key] is JsonObject t:
                    Merge(t, o);
                    break;
                case JsonArray a when target[key] is JsonArray t && a.Count > 0:
                    for (int i = 0; i < a.Count; i++)
                    {
                        if (i < t.Count && a[i] is JsonObject ao && t[i] is JsonObject to)
                        {
                            Merge(to, ao);
                        }
                        else if (i < t.Count)
                        {
                            t[i] = a[i]!.DeepClone();
                        }
                        else
                        {
                            t.Add(a[i]!.DeepClone());
                        }
                    }

                    break;
                default:
                    target[key] = value?.DeepClone();
                    break;
            }
        }
    }
}
