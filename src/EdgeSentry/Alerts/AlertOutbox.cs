using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Alerts;

/// <summary>
/// Bounds and durability of the alert outbox.
/// <para>Policy when bounds are hit (alerts are for people on patrol, and the newest describe what is happening
/// now): when the outbox holds <see cref="MaxMessages"/>, enqueuing a new message deletes the oldest ones; a
/// message older than <see cref="MaxAge"/> when its turn to be sent comes is deleted unsent. Both are counted
/// (metric <c>edgesentry.outbox.dropped</c>, tag reason = capacity / expired) and logged. A message the broker
/// refuses outright (MQTT 5 reason code ≥ 128) is deleted and counted with reason = refused, since resending
/// cannot succeed.</para>
/// </summary>
public sealed record OutboxOptions
{
    public required string DatabasePath { get; init; }
    public int MaxMessages { get; init; } = 100_000;
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromHours(24);
    /// <summary>
    /// synchronous=FULL (default): a committed message survives power loss, at one fsync per commit.
    /// False gives synchronous=NORMAL, which in WAL mode still survives a crash of the process but may lose the
    /// last commits on power loss.
    /// </summary>
    public bool SurvivePowerLoss { get; init; } = true;
    /// <summary>Rows read per query by the sender.</summary>
    public int ReadBatch { get; init; } = 256;
}

/// <summary>
/// The durable store-and-forward queue between the incident path and the broker (SQLite in WAL mode). A message
/// is committed before it is published and deleted only after the broker's PUBACK, so neither a broker outage
/// nor a crash of this process loses it; after a crash, unacknowledged messages are sent again, so receivers
/// drop duplicates by message id. Messages go out in enqueue order, which keeps each camera's order.
/// </summary>
public sealed class AlertOutbox : IAsyncDisposable
{
    public const string MeterName = "EdgeSentry.Alerts.Outbox";

    private readonly OutboxOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly SqliteConnection db;
    // Microsoft.Data.Sqlite connections are not thread safe: every use goes through this gate.
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Channel<bool> wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Meter meter;
    private readonly bool ownsMeter;
    private readonly Counter<long> enqueuedCounter;
    private readonly Counter<long> acknowledgedCounter;
    private readonly Counter<long> droppedCounter;
    private readonly Histogram<double> latency;
    private readonly Lock emptyGate = new();
    private TaskCompletionSource? emptyWaiter;
    private long depth;
    private long droppedForCapacity;
    private long droppedExpired;
    private long refused;
    private int running;
    private int disposed;

    private AlertOutbox(OutboxOptions options, SqliteConnection db, TimeProvider time, ILogger logger, IMeterFactory? meterFactory)
    {
        this.options = options;
        this.db = db;
        this.time = time;
        this.logger = logger;
        ownsMeter = meterFactory is null;
        meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        enqueuedCounter = meter.CreateCounter<long>("edgesentry.outbox.enqueued", description: "Messages committed to the outbox");
        acknowledgedCounter = meter.CreateCounter<long>("edgesentry.outbox.acknowledged", description: "Messages the broker acknowledged and the outbox deleted");
        droppedCounter = meter.CreateCounter<long>("edgesentry.outbox.dropped", description: "Messages deleted unsent (reason: capacity, expired, refused)");
        latency = meter.CreateHistogram<double>("edgesentry.outbox.publish_latency", unit: "ms", description: "Enqueue to PUBACK");
        meter.CreateObservableGauge("edgesentry.outbox.depth", () => Interlocked.Read(ref depth), description: "Messages waiting for their PUBACK");
    }

    /// <summary>Messages stored and not yet acknowledged.</summary>
    public long Depth => Interlocked.Read(ref depth);
    public long DroppedForCapacity => Interlocked.Read(ref droppedForCapacity);
    public long DroppedExpired => Interlocked.Read(ref droppedExpired);
    public long Refused => Interlocked.Read(ref refused);

    internal Meter Meter => meter;

    /// <summary>Opens (creating if needed) the outbox database; messages left by an earlier run are sent again.</summary>
    public static AlertOutbox Open(OutboxOptions options, TimeProvider? time = null, ILogger<AlertOutbox>? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxMessages < 1 || options.MaxAge <= TimeSpan.Zero || options.ReadBatch < 1)
        {
            throw new ArgumentException($"outbox '{options.DatabasePath}': MaxMessages, MaxAge and ReadBatch must be positive");
        }

        string path = Path.GetFullPath(options.DatabasePath);
        string? directory = Path.GetDirectoryName(path);
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"outbox database '{path}': directory '{directory}' does not exist");
        }

        // No pooling: closing the outbox must really close the file, so a restarted process owns it alone.
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            db.Open();
            string journal = Scalar<string>(db, "PRAGMA journal_mode=WAL;");
            if (!string.Equals(journal, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"outbox database '{path}' could not switch to WAL mode (journal_mode={journal})");
            }

            Execute(db, $"""
                PRAGMA synchronous={(options.SurvivePowerLoss ? "FULL" : "NORMAL")};
                CREATE TABLE IF NOT EXISTS outbox (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    message_id TEXT NOT NULL UNIQUE,
                    camera_id TEXT NOT NULL,
                    topic TEXT NOT NULL,
                    payload BLOB NOT NULL,
                    qos INTEGER NOT NULL,
                    retain INTEGER NOT NULL,
                    created_ms INTEGER NOT NULL);
                """);
            var outbox = new AlertOutbox(options, db, time ?? TimeProvider.System, (ILogger?)logger ?? NullLogger.Instance, meterFactory);
            outbox.depth = Scalar<long>(db, "SELECT COUNT(*) FROM outbox;");
            return outbox;
        }
        catch (SqliteException ex)
        {
            db.Dispose();
            throw new InvalidOperationException($"outbox database '{path}' cannot be opened: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Commits the message; once this completes it survives a crash. Enqueuing a message id that is already
    /// stored does nothing, so a caller may retry safely.
    /// </summary>
    public Task EnqueueAsync(OutgoingMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return EnqueueAsync([message], cancellationToken);
    }

    /// <summary>Commits several messages in one transaction (one fsync), in the given order.</summary>
    public async Task EnqueueAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ObjectDisposedException.ThrowIf(disposed != 0, this);
        long dropped;
        await gate.WaitAsync(cancellationToken);
        try
        {
            using SqliteTransaction tx = db.BeginTransaction();
            using SqliteCommand insert = db.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = """
                INSERT OR IGNORE INTO outbox (message_id, camera_id, topic, payload, qos, retain, created_ms)
                VALUES ($id, $camera, $topic, $payload, $qos, $retain, $created);
                """;
            SqliteParameter id = insert.Parameters.Add("$id", SqliteType.Text);
            SqliteParameter camera = insert.Parameters.Add("$camera", SqliteType.Text);
            SqliteParameter topic = insert.Parameters.Add("$topic", SqliteType.Text);
            SqliteParameter payload = insert.Parameters.Add("$payload", SqliteType.Blob);
            SqliteParameter qos = insert.Parameters.Add("$qos", SqliteType.Integer);
            SqliteParameter retain = insert.Parameters.Add("$retain", SqliteType.Integer);
            insert.Parameters.AddWithValue("$created", time.GetUtcNow().ToUnixTimeMilliseconds());
            long added = 0;
            foreach (OutgoingMessage message in messages)
            {
                id.Value = message.MessageId;
                camera.Value = message.CameraId;
                topic.Value = message.Topic;
                payload.Value = message.Payload;
                qos.Value = message.Qos;
                retain.Value = message.Retain ? 1 : 0;
                added += insert.ExecuteNonQuery();
            }

            dropped = 0;
            long excess = Interlocked.Read(ref depth) + added - options.MaxMessages;
            if (excess > 0)
            {
                using SqliteCommand trim = db.CreateCommand();
                trim.Transaction = tx;
                trim.CommandText = "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox ORDER BY seq LIMIT $n);";
                trim.Parameters.AddWithValue("$n", excess);
                dropped = trim.ExecuteNonQuery();
            }

            tx.Commit();
            Interlocked.Add(ref depth, added - dropped);
            if (added > 0)
            {
                enqueuedCounter.Add(added);
            }
        }
        finally
        {
            gate.Release();
        }

        if (dropped > 0)
        {
            Interlocked.Add(ref droppedForCapacity, dropped);
            droppedCounter.Add(dropped, new KeyValuePair<string, object?>("reason", "capacity"));
            AlertsLog.OutboxDropped(logger, dropped, "capacity", options.MaxMessages);
        }

        wake.Writer.TryWrite(true);
    }

    /// <summary>
    /// Sends stored messages in order through <paramref name="connection"/> until cancelled, pipelining up to the
    /// connection's in-flight limit, and deletes each one when its PUBACK arrives. The connection may be down or
    /// still connecting: messages then wait in libmosquitto's queue (bounded by the in-flight limit) and here.
    /// One sender at a time; cancel it (and await it) before disposing the outbox.
    /// </summary>
    public async Task RunAsync(MqttConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ObjectDisposedException.ThrowIf(disposed != 0, this);
        if (Interlocked.Exchange(ref running, 1) != 0)
        {
            throw new InvalidOperationException("the outbox already has a sender: two would send every message twice");
        }

        try
        {
            await SendAsync(connection, cancellationToken);
        }
        finally
        {
            Volatile.Write(ref running, 0);
        }
    }

    private async Task SendAsync(MqttConnection connection, CancellationToken cancellationToken)
    {
        var acknowledged = Channel.CreateUnbounded<(long Seq, long CreatedMs)>(new UnboundedChannelOptions { SingleReader = true });
        Task deleter = DeleteAcknowledgedAsync(acknowledged.Reader);
        long lastHanded = 0;
        try
        {
            while (true)
            {
                List<StoredMessage> batch = await ReadAfterAsync(lastHanded, cancellationToken);
                if (batch.Count == 0)
                {
                    await wake.Reader.ReadAsync(cancellationToken);
                    continue;
                }

                long nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
                foreach (StoredMessage message in batch)
                {
                    lastHanded = message.Seq;
                    if (nowMs - message.CreatedMs > (long)options.MaxAge.TotalMilliseconds)
                    {
                        await DropExpiredAsync(message);
                        continue;
                    }

                    Task ack = await connection.BeginPublishAsync(message.Topic, message.Payload, message.Qos, message.Retain, cancellationToken);
                    _ = TrackAsync(ack, message, acknowledged.Writer);
                }
            }
        }
        finally
        {
            acknowledged.Writer.TryComplete();
            await deleter;
        }
    }

    /// <summary>Completes when every stored message has been acknowledged (or dropped).</summary>
    public async Task WaitUntilEmptyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TaskCompletionSource waiter;
            lock (emptyGate)
            {
                if (Interlocked.Read(ref depth) == 0)
                {
                    return;
                }

                waiter = emptyWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            await waiter.Task.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await gate.WaitAsync();
        try
        {
            // Fold the WAL back into the database file so the next run starts from one file.
            Execute(db, "PRAGMA wal_checkpoint(TRUNCATE);");
            await db.DisposeAsync();
        }
        finally
        {
            gate.Release();
        }

        if (ownsMeter)
        {
            meter.Dispose();
        }
    }

    private async Task TrackAsync(Task ack, StoredMessage message, ChannelWriter<(long Seq, long CreatedMs)> acknowledged)
    {
        try
        {
            await ack;
            acknowledged.TryWrite((message.Seq, message.CreatedMs));
        }
        catch (MqttPublishException ex) when (ex.BrokerReasonCode is not null)
        {
            AlertsLog.OutboxRefused(logger, message.MessageId, message.Topic, ex.Message);
            Interlocked.Increment(ref refused);
            droppedCounter.Add(1, new KeyValuePair<string, object?>("reason", "refused"));
            acknowledged.TryWrite((message.Seq, -1));
        }
        catch (MqttPublishException ex)
        {
            // The connection closed first: the row stays and the next run sends it again.
            AlertsLog.OutboxUnacknowledged(logger, message.MessageId, ex.Message);
        }
    }

    private async Task DeleteAcknowledgedAsync(ChannelReader<(long Seq, long CreatedMs)> acknowledged)
    {
        var batch = new List<(long Seq, long CreatedMs)>(1024);
        while (await acknowledged.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < 1024 && acknowledged.TryRead(out var item))
            {
                batch.Add(item);
            }

            int deleted = 0;
            await gate.WaitAsync();
            try
            {
                if (disposed != 0)
                {
                    return;
                }

                using SqliteTransaction tx = db.BeginTransaction();
                using SqliteCommand delete = db.CreateCommand();
                delete.Transaction = tx;
                delete.CommandText = "DELETE FROM outbox WHERE seq = $seq;";
                SqliteParameter seq = delete.Parameters.Add("$seq", SqliteType.Integer);
                foreach ((long s, _) in batch)
                {
                    seq.Value = s;
                    deleted += delete.ExecuteNonQuery();
                }

                tx.Commit();
            }
            finally
            {
                gate.Release();
            }

            long nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach ((_, long createdMs) in batch)
            {
                if (createdMs >= 0)
                {
                    latency.Record(nowMs - createdMs);
                }
            }

            acknowledgedCounter.Add(deleted);
            SubtractDepth(deleted);
        }
    }

    private async Task DropExpiredAsync(StoredMessage message)
    {
        int deleted;
        await gate.WaitAsync();
        try
        {
            using SqliteCommand delete = db.CreateCommand();
            delete.CommandText = "DELETE FROM outbox WHERE seq = $seq;";
            delete.Parameters.AddWithValue("$seq", message.Seq);
            deleted = delete.ExecuteNonQuery();
        }
        finally
        {
            gate.Release();
        }

        Interlocked.Add(ref droppedExpired, deleted);
        droppedCounter.Add(deleted, new KeyValuePair<string, object?>("reason", "expired"));
        AlertsLog.OutboxExpired(logger, message.MessageId, options.MaxAge);
        SubtractDepth(deleted);
    }

    private void SubtractDepth(long deleted)
    {
        if (Interlocked.Add(ref depth, -deleted) == 0)
        {
            lock (emptyGate)
            {
                if (Interlocked.Read(ref depth) == 0)
                {
                    emptyWaiter?.TrySetResult();
                    emptyWaiter = null;
                }
            }
        }
    }

    private async Task<List<StoredMessage>> ReadAfterAsync(long afterSeq, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(disposed != 0, this);
            using SqliteCommand select = db.CreateCommand();
            select.CommandText = """
                SELECT seq, message_id, topic, payload, qos, retain, created_ms FROM outbox
                WHERE seq > $after ORDER BY seq LIMIT $n;
                """;
            select.Parameters.AddWithValue("$after", afterSeq);
            select.Parameters.AddWithValue("$n", options.ReadBatch);
            using SqliteDataReader reader = select.ExecuteReader();
            var rows = new List<StoredMessage>(options.ReadBatch);
            while (reader.Read())
            {
                rows.Add(new StoredMessage(
                    reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<byte[]>(3),
                    reader.GetInt32(4), reader.GetInt32(5) != 0, reader.GetInt64(6)));
            }

            return rows;
        }
        finally
        {
            gate.Release();
        }
    }

    private static void Execute(SqliteConnection db, string sql)
    {
        using SqliteCommand command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static T Scalar<T>(SqliteConnection db, string sql)
    {
        using SqliteCommand command = db.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed record StoredMessage(long Seq, string MessageId, string Topic, byte[] Payload, int Qos, bool Retain, long CreatedMs);
}
