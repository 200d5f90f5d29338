using System.Text.Json;
using System.Text.Json.Nodes;
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
        await using (EdgeProcess first = EdgeProcess.Start(config))
        {
            CancellationToken cap = MqttTestSubscriber.Cap(120);
            // A routed incident stores at least the camera alert and the closed-loop state.
            while (Stored(outbox).Count < 3)
            {
                Assert.False(first.HasExited, "edgesentry exited early:\n" + first.Output);
                await Task.Delay(250, cap);
            }

            Assert.NotEqual(0, await first.KillAsync(cap));
        }

        // Read after the kill: whatever was committed before it is what must not be lost.
        stored = Stored(outbox);
        _output.WriteLine($"stored before the kill: {stored.Count} ({string.Join(", ", stored.Select(s => s.Topic).Distinct())})");
        Assert.Contains(stored, s => s.Topic == AlertTopics.Alerts("grid-7", "edge-crash", "yard-1"));
        Assert.Contains(stored, s => s.Topic.StartsWith("edgesentry/v1/incidents/", StringComparison.Ordinal));

        await _broker.StartAgainAsync();
        await using var subscriber = await MqttTestSubscriber.StartAsync(_broker, "edgesentry/v1/#");
        await using EdgeProcess second = EdgeProcess.Start(config);
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
            Assert.Fail($"{wanted.Count} of {stored.Count} stored messages never arrived; service log:\n{second.Output}");
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

    private string WriteConfig(string outbox)
    {
        string grid = EdgeConfig.WriteYardGrid(_directory);
        JsonObject config = EdgeConfig.Base(_broker, "edge-crash", outbox);
        config["routing"] = new JsonObject { ["gridMap"] = grid };
        config["units"] = new JsonArray(new JsonObject { ["id"] = "u-yard", ["gridId"] = "grid-7", ["latitude"] = 31.231, ["longitude"] = 121.47 });
        config["cameras"] = new JsonArray(EdgeConfig.WorkerZoneCamera("yard-1", ("grid-7", 31.23, 121.47), ("no-entry", 2)));
        return EdgeConfig.Write(_directory, config);
    }
}
