using System.Text.Json.Nodes;
using EdgeSentry.Operator;
using EdgeSentry.Tests.Peers;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Tests.Operator;

public sealed class ConfigEditorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("es-editor-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteConfig()
    {
        var root = new JsonObject
        {
            ["detector"] = new JsonObject { ["model"] = SharedPaths.Model("yolox_nano.onnx") },
            ["outbox"] = new JsonObject { ["path"] = Path.Combine(_dir, "outbox.db") },
            ["cameras"] = new JsonArray(new JsonObject { ["id"] = "gym", ["url"] = SharedPaths.Clip("intel_indoor_people_one_by_one_h264.mp4") }),
        };
        string path = Path.Combine(_dir, "edge.json");
        File.WriteAllText(path, "// a comment\n" + root.ToJsonString());
        return path;
    }

    private static JsonObject Analytics(string zoneOfRule) => new()
    {
        ["zones"] = new JsonArray(new JsonObject { ["id"] = "door", ["polygon"] = new JsonArray(new JsonArray(0.1, 0.1), new JsonArray(0.5, 0.1), new JsonArray(0.5, 0.5)) }),
        ["rules"] = new JsonArray(new JsonObject { ["id"] = "r", ["kind"] = "intrusion", ["zone"] = zoneOfRule, ["classes"] = new JsonArray("person") }),
    };

    [Fact]
    public async Task SaveAnalytics_Valid_WritesFileKeepsBackupLeavesNoTemp()
    {
        string path = WriteConfig();
        string before = File.ReadAllText(path);
        using var editor = new ConfigEditor(path, NullLogger.Instance);
        var result = await editor.SaveAnalyticsAsync("gym", Analytics("door"), CancellationToken.None);
        Assert.True(result.Saved, string.Join("; ", result.Errors.Select(e => e.Path + ": " + e.Message)));
        Assert.Equal(before, File.ReadAllText(path + ".bak"));
        Assert.Equal("door", JsonNode.Parse(File.ReadAllText(path))!["cameras"]![0]!["analytics"]!["zones"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(new[] { "edge.json", "edge.json.bak" }, Directory.GetFiles(_dir).Select(f => Path.GetFileName(f)).Order().ToArray());
    }

    [Fact]
    public async Task SaveAnalytics_Invalid_ReturnsErrorsWithPathsAndLeavesFileAlone()
    {
        string path = WriteConfig();
        string before = File.ReadAllText(path);
        using var editor = new ConfigEditor(path, NullLogger.Instance);
        var result = await editor.SaveAnalyticsAsync("gym", Analytics("nowhere"), CancellationToken.None);
        Assert.False(result.Saved);
        Assert.Contains(result.Errors, e => e.Path == "$.cameras[0].analytics.rules[0].zone");
        Assert.Equal(before, File.ReadAllText(path));
        Assert.Equal(new[] { "edge.json" }, Directory.GetFiles(_dir).Select(f => Path.GetFileName(f)).ToArray());
    }

    [Fact]
    public async Task SaveAnalytics_UnknownCamera_Refused()
    {
        string path = WriteConfig();
        using var editor = new ConfigEditor(path, NullLogger.Instance);
        var result = await editor.SaveAnalyticsAsync("nope", Analytics("door"), CancellationToken.None);
        Assert.False(result.Saved);
        Assert.Equal("$.cameras", Assert.Single(result.Errors).Path);
    }
}
