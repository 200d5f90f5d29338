namespace EdgeSentry.Alerts;

/// <summary>
/// Bounds and durability of the alert outbox.
/// <para>Policy when bounds are hit (alerts are for people on patrol, and the newest describe what is happening
/// now): when the outbox holds <see cref="MaxMessages"/> or <see cref="MaxBytes"/> of payload, enqueuing a new
/// message deletes the oldest ones, and health is degraded until sending brings it under 90 % of both bounds; a
/// message older than <see cref="MaxAge"/> when its turn to be sent comes is deleted unsent. All are counted
/// (metric <c>edgesentry.outbox.dropped</c>, tag reason = capacity / capacity-bytes / expired) and logged. A message that cannot
/// be sent at all (too large even without its snapshot, refused by the broker for good, or refused for the
/// moment more than <see cref="MaxAttempts"/> times) is moved to the set-aside table of the same database, logged
/// and counted (<c>edgesentry.outbox.set_aside</c>, tag reason): kept for inspection, never blocking the rest.</para>
/// </summary>
public sealed record OutboxOptions
{
    public required string DatabasePath { get; init; }
    public int MaxMessages { get; init; } = 100_000;
    /// <summary>
    /// Payload bytes the waiting messages may hold (set-aside ones excluded); past it the oldest are dropped the way
    /// <see cref="MaxMessages"/> drops them (reason capacity-bytes). 1 GiB by default: 10,000 alerts with 100 KB snapshots.
    /// </summary>
    public long MaxBytes { get; init; } = 1L << 30;
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromHours(24);
    /// <summary>
    /// synchronous=FULL (default): a committed message survives power loss, at one fsync per commit.
    /// False gives synchronous=NORMAL, which in WAL mode still survives a crash of the process but may lose the
    /// last commits on power loss.
    /// </summary>
    public bool SurvivePowerLoss { get; init; } = true;
    /// <summary>Rows read per query by the sender.</summary>
    public int ReadBatch { get; init; } = 256;
    /// <summary>Sends of one message the broker refused "for now" (quota exceeded, busy) before it is set aside.</summary>
    public int MaxAttempts { get; init; } = 5;
    /// <summary>First wait before resending a message refused "for now"; doubles per attempt.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
}
