using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeSentry.Alerts;
using EdgeSentry.Routing;
using EdgeSentry.Tests.Peers;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace EdgeSentry.Tests.Routing;

/// <summary>
/// Issue 11 acceptance 1 with the real executable: `edgesentry run` routes incidents from the shared footage to
/// units that are real MQTT clients on a real mosquitto, holds a level-1 dispatch, is SIGKILLed, stays down until
/// the level-1 SLA has passed, and is started again on the same outbox database.
/// </summary>
public sealed class RoutingProcessRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>
    /// Short enough to wait out while the process is down, long enough that a clock running afresh (or from the
    /// time left at the kill) after the restart would fire well after the escalation at start is expected.
    /// </summary>
    private static readonly TimeSpan LevelOneSla = TimeSpan.FromSeconds(20);
    private static readonly GeoPoint Camera = new(31.23, 121.47);
    private static readonly GeoPoint NearUnit = new(31.231, 121.47);  // ~111 m north of the camera
    private static readonly GeoPoint NextUnit = new(31.233, 121.47);  // ~334 m
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(240);

    private const string EdgeId = "edge-loop-kill";

    private readonly string _directory = Directory.CreateTempSubdirectory("edgesentry-loop-kill-").FullName;
    private MosquittoBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Run_SigkilledHoldingLevelOneDispatchWhoseSlaPassesWhileDown_OneEscalationOnStartAndLateAcksApplied()
    {
        string outbox = Path.Combine(_directory, "outbox.db");
        string config = WriteConfig(outbox);
        using var guard = new CancellationTokenSource(Guard);
        CancellationToken cap = guard.Token;
        await using BrokerRecording seen = await BrokerRecording.StartAsync(_broker);
        await using UnitClient near = await UnitClient.ConnectAsync(_broker, "u-near", cap);
        await using UnitClient next = await UnitClient.ConnectAsync(_broker, "u-next", cap);
        await near.OnDutyAsync(NearUnit, cap);
        await next.OnDutyAsync(NextUnit, cap);

        // Run 1: a level-1 incident (rule watch-l1) and a level-2 one (watch-l2, SLA 600 s) dispatched to the nearest unit.
        RecordedMessage levelOne, levelTwo;
        List<LoopRow> atKill;
        TimeSpan killed;
        await using (EdgeProcess first = EdgeProcess.Start(config))
        {
            levelOne = await WaitAsync(first, seen, m => IsDispatch(m, "u-near", "dispatched") && m.Number("level") == 1, "a level-1 dispatch to u-near", cap);
            levelTwo = await WaitAsync(first, seen, m => IsDispatch(m, "u-near", "dispatched") && m.Number("level") == 2, "a level-2 dispatch to u-near", cap);
            // The clocks started at the broker's PUBACK and that start is stored: only then is the SLA running for
            // the next process to find.
            string[] ids = [Id(levelOne), Id(levelTwo)];
            while (!ids.All(id => ReadLoop(outbox).Any(r => r.IncidentId == id && r.RemainingMs is not null)))
            {
                Assert.False(first.HasExited, "edgesentry exited early:\n" + first.Output);
                await Task.Delay(100, cap);
            }

            Assert.NotEqual(0, await first.KillAsync(cap));
            killed = seen.Now;
            output.WriteLine($"run 1: level-1 dispatch seen at {levelOne.At.TotalSeconds:F1} s, SIGKILL at {killed.TotalSeconds:F1} s");
        }

        // What the dead process left: every level-1 dispatch to u-near with a running clock must escalate once.
        atKill = ReadLoop(outbox);
        List<LoopRow> due = [.. atKill.Where(r => r is { Level: 1, State: "Dispatched", UnitId: "u-near", RemainingMs: not null })];
        List<LoopRow> held = [.. atKill.Where(r => r is { Level: 2, State: "Dispatched", UnitId: "u-near" })];
        Assert.Contains(due, r => r.IncidentId == Id(levelOne));
        Assert.Contains(held, r => r.IncidentId == Id(levelTwo));
        Assert.Empty(seen.Where(m => IsDispatch(m, "u-next", "dispatched") && due.Any(r => r.IncidentId == Id(m))));

        // Down until every stored level-1 deadline has passed (the only wait on the clock, and only as long as needed).
        long deadlineMs = due.Max(r => r.WrittenMs + r.RemainingMs!.Value);
        TimeSpan untilDue = TimeSpan.FromMilliseconds(Math.Max(0, deadlineMs - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 200));
        await Task.Delay(untilDue, cap);
        TimeSpan restarted = seen.Now;

        // Run 2 on the same outbox database.
        await using EdgeProcess second = EdgeProcess.Start(config);
        await second.WaitForOutputAsync("Closed loop resumed", Guard);
        TimeSpan resumed = seen.Now;
        var escalations = new List<RecordedMessage>();
        foreach (LoopRow row in due)
        {
            escalations.Add(await WaitAsync(second, seen, m => IsDispatch(m, "u-next", "dispatched") && Id(m) == row.IncidentId, "the escalation of " + row.IncidentId, cap));
        }

        TimeSpan escalatedAfterResume = escalations.Max(m => m.At) - resumed;
        output.WriteLine($"down {(restarted - killed).TotalSeconds:F1} s (SLA deadline waited out), loop resumed {(resumed - restarted).TotalSeconds:F1} s after the restart; "
            + $"{due.Count} escalation(s) seen {escalatedAfterResume.TotalSeconds:F2} s after the resume line, {(escalations.Max(m => m.At) - restarted).TotalSeconds:F1} s after the restart");
        // On start (the first SLA check, a second after subscribing): a clock that ran on in the new process for
        // the time left at the kill, or afresh, would fire about a whole SLA after the resume.
        Assert.True(escalatedAfterResume < LevelOneSla / 2, $"the escalation came {escalatedAfterResume} after the resume: not at start");
        Assert.All(escalations, m =>
        {
            Assert.Equal(2, m.Number("level"));
            Assert.Equal("escalated", m.Text("reason"));
        });

        // Late acks for incidents dispatched before the restart: the new holder of the escalated one, and the unit
        // that still holds the level-2 one. Both reach the retained state on the broker.
        await next.AckAsync(Id(levelOne), "accepted", cap);
        await near.AckAsync(Id(levelTwo), "accepted", cap);
        JsonElement acceptedOne = await RetainedStateAsync(second, seen, Id(levelOne), "accepted", cap);
        JsonElement acceptedTwo = await RetainedStateAsync(second, seen, Id(levelTwo), "accepted", cap);
        Assert.Equal("u-next", acceptedOne.GetProperty("unitId").GetString());
        Assert.Equal(2, acceptedOne.GetProperty("level").GetInt32());
        Assert.Equal(1, acceptedOne.GetProperty("escalations").GetInt32());
        Assert.Equal("u-near", acceptedTwo.GetProperty("unitId").GetString());
        // Both were open when the process died: the new one ended them, saying why.
        Assert.All([acceptedOne, acceptedTwo], s => Assert.Equal("edge-restarted", s.GetProperty("endReason").GetString()));

        // Watch one more level-1 SLA: a deadline that fired twice, or restarted in the new process, would show now.
        TimeSpan watchUntil = escalations.Max(m => m.At) + LevelOneSla + TimeSpan.FromSeconds(2);
        await Task.Delay(watchUntil - seen.Now > TimeSpan.Zero ? watchUntil - seen.Now : TimeSpan.Zero, cap);
        Assert.False(second.HasExited, "edgesentry stopped:\n" + second.Output);
        foreach (LoopRow row in due)
        {
            Assert.Single(seen.Where(m => IsDispatch(m, "u-next", "dispatched") && Id(m) == row.IncidentId));
            Assert.Single(seen.Where(m => IsDispatch(m, "u-near", "withdrawn") && Id(m) == row.IncidentId));
        }

        Assert.Empty(seen.Where(m => IsDispatch(m, "u-near", "withdrawn") && Id(m) == Id(levelTwo)));
        Assert.Empty(seen.Where(m => IsDispatch(m, "u-next", "dispatched") && Id(m) == Id(levelTwo)));
    }

    private static bool IsDispatch(RecordedMessage m, string unitId, string what) =>
        m.Topic == AlertTopics.UnitAlerts(unitId) && m.Text("event") == what;

    private static string Id(RecordedMessage m) => m.Text("incidentId")!;

    private static async Task<RecordedMessage> WaitAsync(EdgeProcess edge, BrokerRecording seen, Func<RecordedMessage, bool> match, string what, CancellationToken cap)
    {
        try
        {
            return await seen.WaitForAsync(match, cap);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"never saw {what} at the broker; edgesentry log:\n{edge.Output}");
        }
    }

    /// <summary>
    /// Waits until the edge published <paramref name="state"/> for the incident, then reads what the broker
    /// retains for it with a new subscriber: the state a client connecting now would get.
    /// </summary>
    private async Task<JsonElement> RetainedStateAsync(EdgeProcess edge, BrokerRecording seen, string incidentId, string state, CancellationToken cap)
    {
        string topic = AlertTopics.IncidentState(EdgeId, incidentId);
        await WaitAsync(edge, seen, m => m.Topic == topic && m.Text("state") == state, $"state '{state}' of {incidentId} (the ack was not applied)", cap);
        await using MqttTestSubscriber late = await MqttTestSubscriber.StartAsync(_broker, topic, cancellationToken: cap);
        MqttMessage retained = await late.NextAsync(cap);
        Assert.True(retained.Retain, "the state is not retained");
        using JsonDocument doc = JsonDocument.Parse(retained.Payload);
        Assert.Equal(state, doc.RootElement.GetProperty("state").GetString());
        return doc.RootElement.Clone();
    }

    private sealed record LoopRow(string IncidentId, long WrittenMs, int Level, string State, string? UnitId, long? RemainingMs);

    /// <summary>The loop state the process committed (table loop_incidents of the outbox database), read from outside.</summary>
    private static List<LoopRow> ReadLoop(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var db = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        db.Open();
        using SqliteCommand query = db.CreateCommand();
        query.CommandText = "SELECT incident_id, record, written_ms FROM loop_incidents";
        try
        {
            using SqliteDataReader reader = query.ExecuteReader();
            var rows = new List<LoopRow>();
            while (reader.Read())
            {
                using JsonDocument record = JsonDocument.Parse(reader.GetString(1));
                JsonElement r = record.RootElement;
                rows.Add(new LoopRow(
                    reader.GetString(0),
                    reader.GetInt64(2),
                    r.GetProperty("Level").GetInt32(),
                    r.GetProperty("State").GetString()!,
                    r.TryGetProperty("UnitId", out JsonElement unit) && unit.ValueKind == JsonValueKind.String ? unit.GetString() : null,
                    r.TryGetProperty("RemainingMs", out JsonElement left) && left.ValueKind == JsonValueKind.Number ? left.GetInt64() : null));
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
        JsonObject config = EdgeConfig.Base(_broker, EdgeId, outbox);
        config["routing"] = new JsonObject
        {
            ["gridMap"] = grid,
            ["acceptSlaSeconds"] = new JsonArray((int)LevelOneSla.TotalSeconds, 600, 600),
        };
        config["units"] = new JsonArray(
            new JsonObject { ["id"] = "u-near", ["gridId"] = "grid-7", ["latitude"] = NearUnit.Lat, ["longitude"] = NearUnit.Lon },
            new JsonObject { ["id"] = "u-next", ["gridId"] = "grid-7", ["latitude"] = NextUnit.Lat, ["longitude"] = NextUnit.Lon });
        config["cameras"] = new JsonArray(EdgeConfig.WorkerZoneCamera("yard-1", ("grid-7", Camera.Lat, Camera.Lon), ("watch-l1", 1), ("watch-l2", 2)));
        return EdgeConfig.Write(_directory, config);
    }
}
