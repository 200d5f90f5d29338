using EdgeSentry.Capture;
using EdgeSentry.Rules;

namespace EdgeSentry.Configuration;

/// <summary>
/// The durable alert outbox (SQLite, WAL): every incident message is stored before it is published and
/// removed after the broker's PUBACK. When full (maxMessages or maxBytes), the oldest messages are dropped
/// (counted, logged, health degraded until it drains); a
/// message older than maxAgeHours when its turn comes is dropped unsent (counted): see contracts/README.md.
/// </summary>
public sealed class OutboxSection
{
    public string Path { get; set; } = "data/edgesentry-outbox.db";
    public int MaxMessages { get; set; } = 100_000;
    /// <summary>Payload bytes the waiting messages may hold; past it the oldest are dropped like past maxMessages.</summary>
    public long MaxBytes { get; set; } = 1L << 30;
    public double MaxAgeHours { get; set; } = 24;
    /// <summary>fsync every commit (survives power loss); false still survives a crash of the process.</summary>
    public bool SurvivePowerLoss { get; set; } = true;
}
