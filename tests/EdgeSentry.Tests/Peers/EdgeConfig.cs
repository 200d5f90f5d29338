using System.Text.Json;
using System.Text.Json.Nodes;

namespace EdgeSentry.Tests.Peers;

/// <summary>
/// Configuration files for <see cref="EdgeProcess"/>: the parts every test edge shares (broker, an OS-chosen HTTP
/// port, the shared model, an outbox of its own) and the worker-zone camera whose footage raises an intrusion within
/// seconds of starting.
/// </summary>
public static class EdgeConfig
{
    /// <summary>The shared footage the worker-zone camera plays (looped): a person walks into the lower half.</summary>
    public const string WorkerZoneClip = "intel_worker_zone_preview_h264.mp4";

    public static JsonObject Base(MosquittoBroker broker, string edgeId, string outboxPath) => new()
    {
        ["edgeId"] = edgeId,
        ["statsIntervalSeconds"] = 3600,
        ["mqtt"] = new JsonObject { ["host"] = broker.Host, ["port"] = broker.Port },
        // An OS-chosen port: other edges (parallel tests, a running demo) may hold the default 9090.
        ["http"] = new JsonObject { ["listen"] = "127.0.0.1:0" },
        ["detector"] = new JsonObject { ["model"] = SharedPaths.Model("yolox_nano.onnx") },
        ["outbox"] = new JsonObject { ["path"] = outboxPath },
    };

    /// <summary>
    /// A camera on the worker-zone clip (a file, looped) with a hazard zone over the lower half and one person
    /// intrusion rule per (id, severity). <paramref name="place"/> adds grid id and position for routing.
    /// </summary>
    public static JsonObject WorkerZoneCamera(string id, (string GridId, double Latitude, double Longitude)? place, params (string RuleId, int Severity)[] rules)
    {
        var camera = new JsonObject
        {
            ["id"] = id,
            ["url"] = SharedPaths.Clip(WorkerZoneClip),
            ["loop"] = true,
            ["maxFps"] = 10,
            ["analytics"] = new JsonObject
            {
                ["zones"] = new JsonArray(new JsonObject
                {
                    ["id"] = "hazard",
                    ["polygon"] = new JsonArray(new JsonArray(0.05, 0.45), new JsonArray(0.95, 0.45), new JsonArray(0.95, 1.0), new JsonArray(0.05, 1.0)),
                }),
                ["rules"] = new JsonArray([.. rules.Select(r => (JsonNode)new JsonObject
                {
                    ["id"] = r.RuleId,
                    ["kind"] = "intrusion",
                    ["zone"] = "hazard",
                    ["classes"] = new JsonArray("person"),
                    ["minScore"] = 0.4,
                    ["severity"] = r.Severity,
                    ["holdSeconds"] = 2,
                })]),
            },
        };
        if (place is { } p)
        {
            camera["gridId"] = p.GridId;
            camera["latitude"] = p.Latitude;
            camera["longitude"] = p.Longitude;
        }

        return camera;
    }

    /// <summary>Writes <paramref name="config"/> into <paramref name="directory"/>; returns the file's path.</summary>
    /// <summary>Writes the one-cell grid map (grid-7, street-9) around the worker-zone camera; returns its path.</summary>
    public static string WriteYardGrid(string directory)
    {
        string grid = Path.Combine(directory, "grid.geojson");
        File.WriteAllText(grid, """
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"grid-7","name":"Yard","street":"street-9"},
             "geometry":{"type":"Polygon","coordinates":[[[121.46,31.22],[121.48,31.22],[121.48,31.24],[121.46,31.24],[121.46,31.22]]]}}]}
            """);
        return grid;
    }

    public static string Write(string directory, JsonObject config, string file = "edgesentry.json")
    {
        string path = Path.Combine(directory, file);
        File.WriteAllText(path, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }
}
