using System.Diagnostics;
using System.Text;
using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Tests.Peers;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace EdgeSentry.Tests.Alerts;

/// <summary>
/// Issue 6 acceptance 2 with the real executable: `edgesentry run` produces routed incidents while the broker is
/// down, is SIGKILLed, restarted, and the broker restored; every message stored before the kill arrives, in order.
/// </summary>
public sealed class ServiceCrashTests : IAsyncLifetime
{
    private readonly ITestOutputHelper _output;
    private readonly string _directory = Directory.CreateTempSubdirectory("edgesentry-crash-").FullName;
    private MosquittoBroker _broker = null!;

    public ServiceCrashTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync(persistent: true);

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Run_KilledWhileBrokerDownThenRestarted_NothingStoredBeforeTheKillIsLost()
    {
        string outbox = Path.Combine(_directory, "outbox.db");
        string config = WriteConfig(outbox);
        await _broker.StopAsync();

        List<(string Id, string Topic)> stored;
        using (var first = Start(config, out StringBuilder firstLog))
        {
            CancellationToken cap = MqttTestSubscriber.Cap(120);
            // A routed incident stores at least the camera alert and the closed-loop state.
            while (Stored(outbox).Count < 3)
            {
                Assert.False(first.HasExited, "edgesentry exited early:\n" + firstLog);
                await Task.Delay(250, cap);
            }

            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync(cap);
            Assert.NotEqual(0, first.ExitCode);
        }

        // Read after the kill: whatever was committed before it is what must not be lost.
        stored = Stored(outbox);
        _output.WriteLine($"stored before the kill: {stored.Count} ({string.Join(", ", stored.Select(s => s.Topic).Distinct())})");
        Assert.Contains(stored, s => s.Topic.StartsWith("edgesentry/v1/alerts/grid-7/yard-1", StringComparison.Ordinal));
        Assert.Contains(stored, s => s.Topic.StartsWith("edgesentry/v1/incidents/", StringComparison.Ordinal));

        await _broker.StartAgainAsync();
        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "edgesentry/v1/#");
        using var second = Start(config, out StringBuilder secondLog);
        var wanted = stored.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var arrived = new List<string>();
        try
        {
            CancellationToken cap = MqttTestSubscriber.Cap(120);
            while (wanted.Count > 0)
            {
                MqttMessage m = await subscriber.NextAsync(cap);
                if (m.Payload.Length == 0 || m.Payload.Span[0] != (byte)'{')
                {
                    continue;
                }

                using JsonDocument doc = JsonDocument.Parse(m.Payload);
                if (doc.RootElement.TryGetProperty("messageId", out JsonElement id) && wanted.Remove(id.GetString()!))
                {
                    arrived.Add(id.GetString()!);
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{wanted.Count} of {stored.Count} stored messages never arrived; service log:\n{secondLog}");
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
        }

        // One camera: its messages arrive in the order they were stored.
        Assert.Equal(stored.Select(s => s.Id), arrived);
    }

    private static List<(string Id, string Topic)> Stored(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var db = new SqliteConnection($"Data Source={path};Pooling=False");
        db.Open();
        using SqliteCommand query = db.CreateCommand();
        query.CommandText = "SELECT message_id, topic FROM outbox ORDER BY seq";
        try
        {
            using SqliteDataReader reader = query.ExecuteReader();
            var rows = new List<(string, string)>();
            while (reader.Read())
            {
                rows.Add((reader.GetString(0), reader.GetString(1)));
            }

            return rows;
        }
        catch (SqliteException e) when (e.Message.Contains("no such table", StringComparison.Ordinal))
        {
            return [];
        }
    }

    private static Process Start(string config, out StringBuilder log)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = SharedPaths.RepoRoot,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "edgesentry.dll"));
        psi.ArgumentList.Add("run");
        psi.ArgumentList.Add("--config");
        psi.ArgumentList.Add(config);
        var process = Process.Start(psi)!;
        var sink = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (sink) { sink.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (sink) { sink.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        log = sink;
        return process;
    }

    private string WriteConfig(string outbox)
    {
        string grid = Path.Combine(_directory, "grid.geojson");
        File.WriteAllText(grid, """
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"grid-7","name":"Yard","street":"street-9"},
             "geometry":{"type":"Polygon","coordinates":[[[121.46,31.22],[121.48,31.22],[121.48,31.24],[121.46,31.24],[121.46,31.22]]]}}]}
            """);
        string path = Path.Combine(_directory, "edgesentry.json");
        var config = new
        {
            edgeId = "edge-crash",
            statsIntervalSeconds = 3600,
            mqtt = new { host = _broker.Host, port = _broker.Port },
            // An OS-chosen port: other edges (parallel tests, a running demo) may hold the default 9090.
            http = new { listen = "127.0.0.1:0" },
            detector = new { model = SharedPaths.Model("yolox_nano.onnx") },
            outbox = new { path = outbox },
            routing = new { gridMap = grid },
            units = new[] { new { id = "u-yard", gridId = "grid-7", latitude = 31.231, longitude = 121.47 } },
            cameras = new[]
            {
                new
                {
                    id = "yard-1",
                    url = SharedPaths.Clip("intel_worker_zone_preview_h264.mp4"),
                    loop = true,
                    gridId = "grid-7",
                    latitude = 31.23,
                    longitude = 121.47,
                    maxFps = 10,
                    analytics = new
                    {
                        zones = new[] { new { id = "hazard", polygon = new[] { new[] { 0.05, 0.45 }, [0.95, 0.45], [0.95, 1.0], [0.05, 1.0] } } },
                        rules = new[] { new { id = "no-entry", kind = "intrusion", zone = "hazard", classes = new[] { "person" }, minScore = 0.4, severity = 2, holdSeconds = 2 } },
                    },
                },
            },
        };
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return path;
    }
}
