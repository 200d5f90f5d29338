using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeSentry.Rules;
using Microsoft.Data.Sqlite;

namespace EdgeSentry.Routing;

/// <summary>
/// The closed loop's durable state: one row per open incident in the <c>loop_incidents</c> table of the outbox
/// database, written by the router inside the same transaction as the messages the change causes
/// (<see cref="Alerts.AlertOutbox"/>'s enqueue callback), so a crash never leaves a message without its state or
/// the other way round.
/// <para>Deadlines cannot be stored as monotonic timestamps (they mean nothing to the next process): a row keeps the
/// time left on the running clock and the wall time it was written. On restart the time left is reduced by the wall
/// time since the write, never below zero and never raised when the wall clock went back; the process downtime is
/// the only span no monotonic clock saw, so this is the one place the wall clock counts.</para>
/// </summary>
internal static class LoopStore
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS loop_incidents (
            incident_id TEXT PRIMARY KEY,
            record TEXT NOT NULL,
            written_ms INTEGER NOT NULL);
        """;

    public static void EnsureSchema(SqliteConnection db)
    {
        using SqliteCommand create = db.CreateCommand();
        create.CommandText = Schema;
        create.ExecuteNonQuery();
    }

    public static void Write(SqliteConnection db, SqliteTransaction tx, LoopRecord record, long writtenMs)
    {
        using SqliteCommand upsert = db.CreateCommand();
        upsert.Transaction = tx;
        upsert.CommandText = """
            INSERT INTO loop_incidents (incident_id, record, written_ms) VALUES ($id, $record, $written)
            ON CONFLICT (incident_id) DO UPDATE SET record = excluded.record, written_ms = excluded.written_ms;
            """;
        upsert.Parameters.AddWithValue("$id", record.Last.IncidentId);
        upsert.Parameters.AddWithValue("$record", JsonSerializer.Serialize(record, LoopStoreJsonContext.Default.LoopRecord));
        upsert.Parameters.AddWithValue("$written", writtenMs);
        upsert.ExecuteNonQuery();
    }

    public static void Delete(SqliteConnection db, SqliteTransaction tx, string incidentId)
    {
        using SqliteCommand delete = db.CreateCommand();
        delete.Transaction = tx;
        delete.CommandText = "DELETE FROM loop_incidents WHERE incident_id = $id;";
        delete.Parameters.AddWithValue("$id", incidentId);
        delete.ExecuteNonQuery();
    }

    /// <summary>Every stored incident with the wall time its row was written, in the order they were first stored.</summary>
    public static List<(LoopRecord Record, long WrittenMs)> ReadAll(SqliteConnection db)
    {
        EnsureSchema(db);
        using SqliteCommand select = db.CreateCommand();
        select.CommandText = "SELECT record, written_ms FROM loop_incidents ORDER BY rowid;";
        using SqliteDataReader reader = select.ExecuteReader();
        var rows = new List<(LoopRecord, long)>();
        while (reader.Read())
        {
            rows.Add((JsonSerializer.Deserialize(reader.GetString(0), LoopStoreJsonContext.Default.LoopRecord)!, reader.GetInt64(1)));
        }

        return rows;
    }
}

/// <summary>One stored incident: what the loop must know to resume (the rules' last transition, holder, level, units tried, clock).</summary>
internal sealed record LoopRecord
{
    public required IncidentEvent Last { get; init; }
    public required DateTimeOffset ReportedAt { get; init; }
    public required LoopState State { get; init; }
    public required DispatchReason Reason { get; init; }
    public required int Level { get; init; }
    public string? UnitId { get; init; }
    public double? Distance { get; init; }
    public required DateTimeOffset DispatchedAt { get; init; }
    public required string[] Tried { get; init; }
    public required int Escalations { get; init; }
    public required int Revision { get; init; }
    public required bool Ended { get; init; }
    public EndReason? EndReason { get; init; }
    public required bool StreetNotified { get; init; }
    public required long SlaMs { get; init; }
    public string? AwaitingDelivery { get; init; }
    /// <summary>Time left on the running acceptance clock when the row was written; null while it does not run.</summary>
    public long? RemainingMs { get; init; }
}

[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(LoopRecord))]
internal sealed partial class LoopStoreJsonContext : JsonSerializerContext;
