using System.Diagnostics.Metrics;
using EdgeSentry.Capture;
using EdgeSentry.Pipeline;
using Microsoft.Data.Sqlite;

namespace EdgeSentry.Diagnostics;

/// <summary>
/// Observable gauges read when metrics are collected (a scrape), never on the frame path: each camera's
/// state, the outbox's size on disk and the age of its oldest message, and the health value.
/// </summary>
public sealed class EdgeNodeGauges
{
    public const string MeterName = "EdgeSentry.Node";

    private static readonly CameraState[] States = Enum.GetValues<CameraState>();

    private readonly EdgeNode _node;
    private readonly EdgeHealth _health;
    private readonly string _outboxPath;
    private readonly TimeProvider _time;

    public EdgeNodeGauges(EdgeNode node, EdgeHealth health, string outboxPath, TimeProvider timeProvider, IMeterFactory meterFactory)
    {
        _node = node;
        _health = health;
        _outboxPath = Path.GetFullPath(outboxPath);
        _time = timeProvider;
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("edgesentry.camera.state", ObserveCameraStates, "{state}", "1 for the camera's current state (starting, online, reconnecting, offline, ended), 0 for the others");
        meter.CreateObservableGauge("edgesentry.outbox.bytes", ObserveOutboxBytes, "By", "Outbox database size on disk, write-ahead log included");
        meter.CreateObservableGauge("edgesentry.outbox.oldest_age", ObserveOldestAge, "s", "Age of the oldest message waiting in the outbox (0 when empty)");
        meter.CreateObservableGauge("edgesentry.health", () => (int)_health.Current.Status, "{status}", "The edge's health: 0 ok, 1 degraded, 2 failing");
    }

    private IEnumerable<Measurement<int>> ObserveCameraStates()
    {
        foreach (var cam in _node.Cameras)
        {
            var current = cam.Source.State;
            foreach (var state in States)
            {
                yield return new Measurement<int>(state == current ? 1 : 0, new("camera", cam.Options.Id), new("state", state.ToWire()));
            }
        }
    }

    private long ObserveOutboxBytes()
    {
        long total = 0;
        foreach (var path in new[] { _outboxPath, _outboxPath + "-wal" })
        {
            var file = new FileInfo(path);
            if (file.Exists)
            {
                total += file.Length;
            }
        }

        return total;
    }

    private double ObserveOldestAge()
    {
        if (!File.Exists(_outboxPath))
        {
            return 0;
        }

        try
        {
            // A reader of its own: WAL lets it look while the outbox writes; by seq, the oldest is the first row.
            using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _outboxPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT created_ms FROM outbox ORDER BY seq LIMIT 1;";
            return cmd.ExecuteScalar() is long createdMs
                ? Math.Max(0, (_time.GetUtcNow().ToUnixTimeMilliseconds() - createdMs) / 1000.0)
                : 0;
        }
        catch (SqliteException)
        {
            // Not created yet or busy: no figure this scrape is better than a failed scrape.
            return 0;
        }
    }
}
