using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Alerts;

/// <summary>
/// The outbox store: the durable queue between the incident path and the broker (SQLite in WAL mode). A message
/// is committed before it is published and deleted only after the broker's PUBACK, so neither a broker outage
/// nor a crash of this process loses it; after a crash, unacknowledged messages are sent again, so receivers
/// drop duplicates by message id. <see cref="OutboxSender"/> reads it in enqueue order, which keeps each camera's
/// order. A message that can never be sent moves to the <c>set_aside</c> table rather than blocking the rest.
/// </summary>
public sealed class AlertOutbox : IAsyncDisposable
{
    public const string MeterName = "EdgeSentry.Alerts.Outbox";

    private static readonly InstrumentAdvice<double> LatencyAdvice = new()
    {
        HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    };

    private readonly OutboxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SqliteConnection _db;
    // Microsoft.Data.Sqlite connections are not thread safe: every use goes through this gate.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _enqueuedCounter;
    private readonly Counter<long> _acknowledgedCounter;
    private readonly Counter<long> _droppedCounter;
    private readonly Counter<long> _setAsideCounter;
    private readonly Counter<long> _shrunkCounter;
    private readonly Counter<long> _writeFailureCounter;
    private readonly Counter<long> _publishFailureCounter;
    private readonly Histogram<double> _latency;
    private readonly Lock _emptyGate = new();
    private TaskCompletionSource? _emptyWaiter;
    private long _depth;
    // Payload bytes of the messages waiting (set-aside ones excluded): what outbox.maxBytes bounds.
    private long _bytes;
    private string? _capacityFault;
    private long _setAside;
    private long _droppedForCapacity;
    private long _droppedForBytes;
    private long _droppedExpired;
    private long _writeFailures;
    private long _publishFailures;
    private string? _storageFault;
    private int _running;
    private int _disposed;
    // Ages are measured on the monotonic clock from this moment; rows older than the process get the wall-clock age
    // they had when it opened (the only reading there is), so a wall-clock jump while running expires nothing.
    private readonly long _openedTimestamp;
    private readonly long _openedWallMs;

    private AlertOutbox(OutboxOptions options, SqliteConnection db, TimeProvider time, ILogger logger, IMeterFactory? meterFactory)
    {
        _options = options;
        _db = db;
        _time = time;
        _logger = logger;
        _openedTimestamp = time.GetTimestamp();
        _openedWallMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _enqueuedCounter = _meter.CreateCounter<long>("edgesentry.outbox.enqueued", description: "Messages committed to the outbox");
        _acknowledgedCounter = _meter.CreateCounter<long>("edgesentry.outbox.acknowledged", description: "Messages the broker acknowledged and the outbox deleted");
        _droppedCounter = _meter.CreateCounter<long>("edgesentry.outbox.dropped", description: "Messages deleted unsent (reason: capacity, expired)");
        _setAsideCounter = _meter.CreateCounter<long>("edgesentry.outbox.set_aside", description: "Messages moved to the set-aside table (reason: too-large, refused, retries-exhausted)");
        _shrunkCounter = _meter.CreateCounter<long>("edgesentry.outbox.shrunk", description: "Messages made to fit the broker's packet size (outcome: reencoded, omitted)");
        _writeFailureCounter = _meter.CreateCounter<long>("edgesentry.outbox.write_failures", description: "Outbox commits that failed on storage and were retried (reason: disk-full, io-error, busy, locked, ...)");
        _publishFailureCounter = _meter.CreateCounter<long>("edgesentry.outbox.publish_failures", "{publish}", "Publishes of outbox messages that failed (reason: too-large, retry-later, refused, unacknowledged); the message is then made to fit, sent again, set aside or kept for the next run");
        // Seconds, the base unit Prometheus expects, with buckets from 5 ms (a PUBACK on loopback) to an hour (a broker outage).
        _latency = _meter.CreateHistogram("edgesentry.outbox.publish_latency", "s", "Enqueue to PUBACK (time waiting in the outbox included)", advice: LatencyAdvice);
        _meter.CreateObservableGauge("edgesentry.outbox.depth", () => Interlocked.Read(ref _depth), description: "Messages waiting for their PUBACK");
    }

    /// <summary>Messages stored and not yet acknowledged (set-aside ones excluded).</summary>
    public long Depth => Interlocked.Read(ref _depth);

    /// <summary>Payload bytes of the messages stored and not yet acknowledged (what <see cref="OutboxOptions.MaxBytes"/> bounds).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Messages deleted unsent because the outbox held <see cref="OutboxOptions.MaxBytes"/>.</summary>
    public long DroppedForBytes => Interlocked.Read(ref _droppedForBytes);

    /// <summary>
    /// Why the outbox is at its bound (health reports it, degraded): set when a commit dropped the oldest messages,
    /// cleared once sending brought it under 90 % of both bounds; null otherwise.
    /// </summary>
    public string? CapacityFault => Volatile.Read(ref _capacityFault);
    public long DroppedForCapacity => Interlocked.Read(ref _droppedForCapacity);
    public long DroppedExpired => Interlocked.Read(ref _droppedExpired);
    /// <summary>Messages this run moved to the set-aside table.</summary>
    public long SetAside => Interlocked.Read(ref _setAside);

    /// <summary>Publishes that failed this run (each also counted by reason on <c>edgesentry.outbox.publish_failures</c>).</summary>
    public long PublishFailures => Interlocked.Read(ref _publishFailures);

    internal Meter Meter => _meter;
    internal OutboxOptions Options => _options;

    /// <summary>Opens (creating if needed) the outbox database; messages left by an earlier run are sent again.</summary>
    public static AlertOutbox Open(OutboxOptions options, TimeProvider? time = null, ILogger<AlertOutbox>? logger = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxMessages < 1 || options.MaxBytes < 1 || options.MaxAge <= TimeSpan.Zero || options.ReadBatch < 1 || options.MaxAttempts < 1 || options.RetryDelay <= TimeSpan.Zero)
        {
            throw new ArgumentException($"outbox '{options.DatabasePath}': MaxMessages, MaxBytes, MaxAge, ReadBatch, MaxAttempts and RetryDelay must be positive");
        }

        string path = Path.GetFullPath(options.DatabasePath);
        string? directory = Path.GetDirectoryName(path);
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"outbox database '{path}': directory '{directory}' does not exist");
        }

        var log = (ILogger?)logger ?? NullLogger.Instance;
        var clock = time ?? TimeProvider.System;
        try
        {
            return OpenFile(options, path, clock, log, meterFactory);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is SqliteException { SqliteErrorCode: 11 or 26 } corrupt)
        {
            // SQLITE_CORRUPT / SQLITE_NOTADB: the file cannot be used, and refusing to start would stop every
            // camera too. The file is kept for inspection, loudly, and the service starts on a new one.
            string aside = $"{path}.corrupt-{clock.GetUtcNow().UtcDateTime:yyyyMMdd'T'HHmmss'Z'}";
            File.Move(path, aside);
            foreach (string suffix in new[] { "-wal", "-shm" })
            {
                if (File.Exists(path + suffix))
                {
                    File.Move(path + suffix, aside + suffix);
                }
            }

            AlertsLog.OutboxCorrupt(log, path, aside, corrupt.Message);
            return OpenFile(options, path, clock, log, meterFactory);
        }
    }

    private static AlertOutbox OpenFile(OutboxOptions options, string path, TimeProvider time, ILogger logger, IMeterFactory? meterFactory)
    {
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
                    created_ms INTEGER NOT NULL,
                    expiry_s INTEGER);
                CREATE TABLE IF NOT EXISTS set_aside (
                    seq INTEGER PRIMARY KEY,
                    message_id TEXT NOT NULL,
                    camera_id TEXT NOT NULL,
                    topic TEXT NOT NULL,
                    payload BLOB NOT NULL,
                    qos INTEGER NOT NULL,
                    retain INTEGER NOT NULL,
                    created_ms INTEGER NOT NULL,
                    set_aside_ms INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    detail TEXT NOT NULL);
                """);
            // Outboxes written before the message expiry existed gain the column (NULL: no expiry).
            if (Scalar<long>(db, "SELECT COUNT(*) FROM pragma_table_info('outbox') WHERE name = 'expiry_s';") == 0)
            {
                Execute(db, "ALTER TABLE outbox ADD COLUMN expiry_s INTEGER;");
            }

            var outbox = new AlertOutbox(options, db, time, logger, meterFactory);
            outbox._depth = Scalar<long>(db, "SELECT COUNT(*) FROM outbox;");
            outbox._bytes = Scalar<long>(db, "SELECT COALESCE(SUM(length(payload)), 0) FROM outbox;");
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

    /// <summary>
    /// Commits several messages in one transaction (one fsync), in the given order. A storage fault (disk full,
    /// I/O error, database busy or locked) does not lose them: the commit is retried with a doubling, jittered
    /// delay (<see cref="StorageRetryMin"/> to <see cref="StorageRetryMax"/>) until it succeeds or
    /// <paramref name="cancellationToken"/> is cancelled, and <see cref="StorageFault"/> says why meanwhile.
    /// The caller waits: the messages are held in memory by their caller only, so the bound is one pending
    /// batch per caller (each camera's analyzer, the router's loops), in each caller's order; at that bound the
    /// camera's analyzer waits and its video is dropped in one place, its freshest-frame slot (counted).
    /// </summary>
    public Task EnqueueAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken = default) =>
        EnqueueAsync(messages, alsoWrite: null, cancellationToken);

    /// <summary>
    /// Raised after the broker acknowledged messages and their rows were deleted, with their message ids; on the
    /// sender's loop, so handlers must be quick.
    /// </summary>
    internal event Action<IReadOnlyList<string>>? Delivered;

    /// <summary>
    /// Commits the messages and whatever <paramref name="alsoWrite"/> writes (state the messages describe) in one
    /// transaction: after a crash both are there or neither is. <paramref name="alsoWrite"/> may run with no
    /// messages (a state change that publishes nothing). Storage faults are retried as described above.
    /// </summary>
    internal async Task EnqueueAsync(IReadOnlyList<OutgoingMessage> messages, Action<SqliteConnection, SqliteTransaction>? alsoWrite, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        Trimmed dropped;
        for (int attempt = 1; ; attempt++)
        {
            SqliteException? fault = null;
            await _gate.WaitAsync(cancellationToken);
            try
            {
                dropped = Commit(messages, alsoWrite);
            }
            catch (SqliteException ex) when (IsStorageFault(ex))
            {
                fault = ex;
                dropped = default;
            }
            finally
            {
                _gate.Release();
            }

            if (fault is null)
            {
                if (Interlocked.Exchange(ref _storageFault, null) is not null)
                {
                    AlertsLog.OutboxWritesRecovered(_logger, attempt);
                }

                break;
            }

            Interlocked.Increment(ref _writeFailures);
            _writeFailureCounter.Add(1, new KeyValuePair<string, object?>("reason", StorageFaultName(fault)));
            var delay = RetryDelayFor(attempt);
            string reason = $"outbox writes failing ({StorageFaultName(fault)}: {fault.Message}); {messages.Count} message(s) waiting, next try in {delay.TotalSeconds:0.##} s";
            if (Interlocked.Exchange(ref _storageFault, reason) is null)
            {
                AlertsLog.OutboxWriteFailed(_logger, _options.DatabasePath, StorageFaultName(fault), fault.Message);
            }

            await Task.Delay(delay, _time, cancellationToken);
        }

        if (dropped.Messages > 0)
        {
            bool forBytes = dropped.Reason == CapacityBytes;
            if (forBytes)
            {
                Interlocked.Add(ref _droppedForBytes, dropped.Messages);
            }
            else
            {
                Interlocked.Add(ref _droppedForCapacity, dropped.Messages);
            }

            _droppedCounter.Add(dropped.Messages, new KeyValuePair<string, object?>("reason", dropped.Reason));
            string fault = forBytes
                ? $"outbox full ({Bytes} of {_options.MaxBytes} payload bytes): the oldest messages are dropped unsent ({DroppedForBytes} so far)"
                : $"outbox full ({Depth} of {_options.MaxMessages} messages): the oldest messages are dropped unsent ({DroppedForCapacity} so far)";
            if (Interlocked.Exchange(ref _capacityFault, fault) is null)
            {
                AlertsLog.OutboxFull(_logger, _options.DatabasePath, fault);
            }

            if (forBytes)
            {
                AlertsLog.OutboxDroppedBytes(_logger, dropped.Messages, dropped.Bytes, _options.MaxBytes);
            }
            else
            {
                AlertsLog.OutboxDropped(_logger, dropped.Messages, dropped.Reason, _options.MaxMessages);
            }

            SubtractDepth(0);
        }

        _wake.Writer.TryWrite(true);
    }

    /// <summary>First delay before retrying a failed outbox write.</summary>
    public static readonly TimeSpan StorageRetryMin = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest delay between retries of a failed outbox write.</summary>
    public static readonly TimeSpan StorageRetryMax = TimeSpan.FromSeconds(5);

    /// <summary>Why writes are failing now (health reports it, degraded); null while they succeed.</summary>
    public string? StorageFault => Volatile.Read(ref _storageFault);

    /// <summary>Failed write attempts (each retried) this run.</summary>
    public long WriteFailures => Interlocked.Read(ref _writeFailures);

    private static TimeSpan RetryDelayFor(int attempt)
    {
        double step = Math.Min(StorageRetryMin.TotalSeconds * Math.Pow(2, Math.Min(attempt - 1, 20)), StorageRetryMax.TotalSeconds);
        return TimeSpan.FromSeconds(step * (0.5 + (Random.Shared.NextDouble() * 0.5)));
    }

    // SQLITE_BUSY 5, SQLITE_LOCKED 6, SQLITE_NOMEM 7, SQLITE_IOERR 10, SQLITE_FULL 13, SQLITE_CANTOPEN 14: the
    // storage may come back; anything else (a constraint, a bug) is not retried.
    private static bool IsStorageFault(SqliteException ex) => ex.SqliteErrorCode is 5 or 6 or 7 or 10 or 13 or 14;

    private static string StorageFaultName(SqliteException ex) => ex.SqliteErrorCode switch
    {
        5 => "busy",
        6 => "locked",
        7 => "no-memory",
        10 => "io-error",
        13 => "disk-full",
        _ => "cannot-open",
    };

    /// <summary>Tag of <c>edgesentry.outbox.dropped</c> for messages dropped at <see cref="OutboxOptions.MaxMessages"/>.</summary>
    public const string Capacity = "capacity";

    /// <summary>Tag of <c>edgesentry.outbox.dropped</c> for messages dropped at <see cref="OutboxOptions.MaxBytes"/>.</summary>
    public const string CapacityBytes = "capacity-bytes";

    private readonly record struct Trimmed(long Messages, long Bytes, string Reason);

    /// <summary>One transaction: insert (ignoring ids already stored), trim the oldest past either bound; returns what was trimmed.</summary>
    private Trimmed Commit(IReadOnlyList<OutgoingMessage> messages, Action<SqliteConnection, SqliteTransaction>? alsoWrite)
    {
        using SqliteTransaction tx = _db.BeginTransaction();
        using SqliteCommand insert = _db.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = """
            INSERT OR IGNORE INTO outbox (message_id, camera_id, topic, payload, qos, retain, created_ms, expiry_s)
            VALUES ($id, $camera, $topic, $payload, $qos, $retain, $created, $expiry);
            """;
        SqliteParameter id = insert.Parameters.Add("$id", SqliteType.Text);
        SqliteParameter camera = insert.Parameters.Add("$camera", SqliteType.Text);
        SqliteParameter topic = insert.Parameters.Add("$topic", SqliteType.Text);
        SqliteParameter payload = insert.Parameters.Add("$payload", SqliteType.Blob);
        SqliteParameter qos = insert.Parameters.Add("$qos", SqliteType.Integer);
        SqliteParameter retain = insert.Parameters.Add("$retain", SqliteType.Integer);
        SqliteParameter expiry = insert.Parameters.Add("$expiry", SqliteType.Integer);
        insert.Parameters.AddWithValue("$created", _time.GetUtcNow().ToUnixTimeMilliseconds());
        long added = 0;
        long addedBytes = 0;
        foreach (OutgoingMessage message in messages)
        {
            id.Value = message.MessageId;
            camera.Value = message.CameraId;
            topic.Value = message.Topic;
            payload.Value = message.Payload;
            qos.Value = message.Qos;
            retain.Value = message.Retain ? 1 : 0;
            expiry.Value = message.ExpirySeconds is { } seconds ? seconds : DBNull.Value;
            if (insert.ExecuteNonQuery() == 1)
            {
                added++;
                addedBytes += message.Payload.Length;
            }
        }

        alsoWrite?.Invoke(_db, tx);

        Trimmed dropped = default;
        if (Interlocked.Read(ref _depth) + added > _options.MaxMessages || Interlocked.Read(ref _bytes) + addedBytes > _options.MaxBytes)
        {
            // The counters may still include rows an acknowledgement just deleted (they are updated after its
            // commit): at the bound the table itself is counted, so no message is dropped for a stale count.
            using SqliteCommand count = _db.CreateCommand();
            count.Transaction = tx;
            count.CommandText = "SELECT COUNT(*), COALESCE(SUM(length(payload)), 0) FROM outbox;";
            using (SqliteDataReader reader = count.ExecuteReader())
            {
                reader.Read();
                dropped = Trim(tx, reader.GetInt64(0) - _options.MaxMessages, reader.GetInt64(1) - _options.MaxBytes);
            }
        }
        tx.Commit();
        Interlocked.Add(ref _depth, added - dropped.Messages);
        Interlocked.Add(ref _bytes, addedBytes - dropped.Bytes);
        if (added > 0)
        {
            _enqueuedCounter.Add(added);
        }

        return dropped;
    }

    /// <summary>
    /// Deletes the oldest messages until <paramref name="excessMessages"/> messages and <paramref name="excessBytes"/>
    /// payload bytes are gone (the same policy for both bounds: the newest describe what is happening now).
    /// </summary>
    private Trimmed Trim(SqliteTransaction tx, long excessMessages, long excessBytes)
    {
        if (excessMessages <= 0 && excessBytes <= 0)
        {
            return default;
        }

        long rows = 0;
        long bytes = 0;
        long lastSeq = 0;
        using (SqliteCommand oldest = _db.CreateCommand())
        {
            oldest.Transaction = tx;
            oldest.CommandText = "SELECT seq, length(payload) FROM outbox ORDER BY seq;";
            using SqliteDataReader reader = oldest.ExecuteReader();
            while ((rows < excessMessages || bytes < excessBytes) && reader.Read())
            {
                lastSeq = reader.GetInt64(0);
                bytes += reader.GetInt64(1);
                rows++;
            }
        }

        using SqliteCommand trim = _db.CreateCommand();
        trim.Transaction = tx;
        trim.CommandText = "DELETE FROM outbox WHERE seq <= $last;";
        trim.Parameters.AddWithValue("$last", lastSeq);
        long deleted = trim.ExecuteNonQuery();
        // Reported under the bound that needed more: the bytes when they made more messages go than the count did.
        return new Trimmed(deleted, bytes, deleted > Math.Max(0, excessMessages) ? CapacityBytes : Capacity);
    }

    /// <summary>Completes when every stored message has been acknowledged, dropped or set aside.</summary>
    public async Task WaitUntilEmptyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TaskCompletionSource waiter;
            lock (_emptyGate)
            {
                if (Interlocked.Read(ref _depth) == 0)
                {
                    return;
                }

                waiter = _emptyWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            await waiter.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The set-aside messages (oldest first), for inspection and tests.</summary>
    public async Task<IReadOnlyList<SetAsideMessage>> ReadSetAsideAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            using SqliteCommand select = _db.CreateCommand();
            select.CommandText = "SELECT message_id, topic, length(payload), reason, detail FROM set_aside ORDER BY seq;";
            using SqliteDataReader reader = select.ExecuteReader();
            var rows = new List<SetAsideMessage>();
            while (reader.Read())
            {
                rows.Add(new SetAsideMessage(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4)));
            }

            return rows;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _gate.WaitAsync();
        try
        {
            // Fold the WAL back into the database file so the next run starts from one file.
            Execute(_db, "PRAGMA wal_checkpoint(TRUNCATE);");
            await _db.DisposeAsync();
        }
        finally
        {
            _gate.Release();
        }

        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    internal void ClaimSender()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            throw new InvalidOperationException("the outbox already has a sender: two would send every message twice");
        }
    }

    internal void ReleaseSender() => Volatile.Write(ref _running, 0);

    internal ValueTask<bool> WaitForWorkAsync(CancellationToken cancellationToken) => _wake.Reader.WaitToReadAsync(cancellationToken);

    internal void ConsumeWake() => _wake.Reader.TryRead(out _);

    internal async Task<List<StoredMessage>> ReadAfterAsync(long afterSeq, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            using SqliteCommand select = _db.CreateCommand();
            select.CommandText = """
                SELECT seq, message_id, topic, payload, qos, retain, created_ms, expiry_s FROM outbox
                WHERE seq > $after ORDER BY seq LIMIT $n;
                """;
            select.Parameters.AddWithValue("$after", afterSeq);
            select.Parameters.AddWithValue("$n", _options.ReadBatch);
            using SqliteDataReader reader = select.ExecuteReader();
            var rows = new List<StoredMessage>(_options.ReadBatch);
            while (reader.Read())
            {
                rows.Add(new StoredMessage(
                    reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<byte[]>(3),
                    reader.GetInt32(4), reader.GetInt32(5) != 0, reader.GetInt64(6), reader.IsDBNull(7) ? null : reader.GetInt32(7)));
            }

            return rows;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Deletes acknowledged messages in one transaction and records their enqueue-to-PUBACK latency.</summary>
    internal async Task DeleteAcknowledgedAsync(IReadOnlyList<StoredMessage> batch)
    {
        int deleted = 0;
        long deletedBytes = 0;
        await _gate.WaitAsync();
        try
        {
            if (_disposed != 0)
            {
                return;
            }

            using SqliteTransaction tx = _db.BeginTransaction();
            using SqliteCommand delete = _db.CreateCommand();
            delete.Transaction = tx;
            delete.CommandText = "DELETE FROM outbox WHERE seq = $seq;";
            SqliteParameter seq = delete.Parameters.Add("$seq", SqliteType.Integer);
            foreach (StoredMessage message in batch)
            {
                seq.Value = message.Seq;
                if (delete.ExecuteNonQuery() == 1)
                {
                    deleted++;
                    deletedBytes += message.Payload.Length;
                }
            }

            tx.Commit();
        }
        finally
        {
            _gate.Release();
        }

        foreach (StoredMessage message in batch)
        {
            _latency.Record(AgeMs(message) / 1000.0);
        }

        _acknowledgedCounter.Add(deleted);
        SubtractDepth(deleted, deletedBytes);
        if (Delivered is { } delivered && batch.Count > 0)
        {
            delivered([.. batch.Select(m => m.MessageId)]);
        }
    }

    internal async Task DropExpiredAsync(StoredMessage message)
    {
        int deleted = await ExecuteAsync("DELETE FROM outbox WHERE seq = $seq;", ("$seq", message.Seq));
        Interlocked.Add(ref _droppedExpired, deleted);
        _droppedCounter.Add(deleted, new KeyValuePair<string, object?>("reason", "expired"));
        AlertsLog.OutboxExpired(_logger, message.MessageId, _options.MaxAge);
        SubtractDepth(deleted, deleted * message.Payload.Length);
    }

    internal bool IsExpired(StoredMessage message) => AgeMs(message) > (long)_options.MaxAge.TotalMilliseconds;

    /// <summary>
    /// The smaller of the wall-clock age and the age on the monotonic clock (time since this outbox opened plus the
    /// wall-clock age the row had then). A wall-clock jump forward while running leaves the monotonic reading small,
    /// a jump backward the wall reading, so neither ages a message early; rows from an earlier run keep the age
    /// the wall clock gave them at open, the only reading across a restart.
    /// </summary>
    internal long AgeMs(StoredMessage message)
    {
        long wallAge = _time.GetUtcNow().ToUnixTimeMilliseconds() - message.CreatedMs;
        long monotonicAge = (long)_time.GetElapsedTime(_openedTimestamp).TotalMilliseconds + Math.Max(0, _openedWallMs - message.CreatedMs);
        return Math.Max(0, Math.Min(wallAge, monotonicAge));
    }

    /// <summary>Runs <paramref name="work"/> on the outbox's connection under its gate (state tables beside the outbox).</summary>
    internal async Task<T> UseAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            return work(_db);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>True while a message with this id waits in the outbox (not yet acknowledged by the broker).</summary>
    internal bool IsStored(SqliteConnection db, string messageId)
    {
        using SqliteCommand select = db.CreateCommand();
        select.CommandText = "SELECT COUNT(*) FROM outbox WHERE message_id = $id;";
        select.Parameters.AddWithValue("$id", messageId);
        return Convert.ToInt64(select.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>
    /// Counts one failed publish of an outbox message by why it failed (the sender's names: too-large, retry-later,
    /// refused, unacknowledged). What then happens to the message is counted where it happens (shrunk, set aside).
    /// </summary>
    internal void CountPublishFailure(string reason)
    {
        Interlocked.Increment(ref _publishFailures);
        _publishFailureCounter.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    /// <summary>Stores the shrunk payload, so a restart sends the message that fits rather than shrinking it again.</summary>
    internal async Task ReplacePayloadAsync(StoredMessage message, byte[] payload, string outcome)
    {
        if (await ExecuteAsync("UPDATE outbox SET payload = $payload WHERE seq = $seq;", ("$payload", payload), ("$seq", message.Seq)) == 1)
        {
            Interlocked.Add(ref _bytes, payload.Length - message.Payload.Length);
        }

        _shrunkCounter.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    }

    /// <summary>Moves the message to the set-aside table in one transaction: kept, logged, counted, out of the queue.</summary>
    internal async Task SetAsideAsync(StoredMessage message, string reason, string detail)
    {
        int moved = await ExecuteAsync(
            """
            INSERT OR REPLACE INTO set_aside (seq, message_id, camera_id, topic, payload, qos, retain, created_ms, set_aside_ms, reason, detail)
                SELECT seq, message_id, camera_id, topic, payload, qos, retain, created_ms, $now, $reason, $detail FROM outbox WHERE seq = $seq;
            DELETE FROM outbox WHERE seq = $seq;
            """,
            ("$seq", message.Seq), ("$now", _time.GetUtcNow().ToUnixTimeMilliseconds()), ("$reason", reason), ("$detail", detail));
        if (moved == 0)
        {
            return;
        }

        Interlocked.Increment(ref _setAside);
        _setAsideCounter.Add(1, new KeyValuePair<string, object?>("reason", reason));
        AlertsLog.OutboxSetAside(_logger, message.MessageId, message.Topic, reason, detail);
        SubtractDepth(1, message.Payload.Length);
    }

    private async Task<int> ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await _gate.WaitAsync();
        try
        {
            if (_disposed != 0)
            {
                return 0;
            }

            using SqliteTransaction tx = _db.BeginTransaction();
            using SqliteCommand command = _db.CreateCommand();
            command.Transaction = tx;
            command.CommandText = sql;
            foreach ((string name, object value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            int changed = command.ExecuteNonQuery();
            tx.Commit();
            return changed;
        }
        finally
        {
            _gate.Release();
        }
    }

    private void SubtractDepth(long deleted, long deletedBytes = 0)
    {
        Interlocked.Add(ref _bytes, -deletedBytes);
        // Hysteresis: one acknowledgement at the bound is not "no longer full" (the next commit drops again).
        if (deleted > 0 && Volatile.Read(ref _capacityFault) is not null
            && Interlocked.Read(ref _depth) - deleted <= _options.MaxMessages * 0.9 && Interlocked.Read(ref _bytes) <= _options.MaxBytes * 0.9
            && Interlocked.Exchange(ref _capacityFault, null) is not null)
        {
            long waiting = Interlocked.Read(ref _depth) - deleted;
            long waitingBytes = Interlocked.Read(ref _bytes);
            AlertsLog.OutboxBelowBound(_logger, _options.DatabasePath, waiting, waitingBytes);
        }

        if (Interlocked.Add(ref _depth, -deleted) == 0)
        {
            lock (_emptyGate)
            {
                if (Interlocked.Read(ref _depth) == 0)
                {
                    _emptyWaiter?.TrySetResult();
                    _emptyWaiter = null;
                }
            }
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
}
