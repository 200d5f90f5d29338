namespace EdgeSentry.Operator;

/// <summary>One incident transition as the feed shows it.</summary>
public sealed record FeedItem(
    long Seq, string IncidentId, int Sequence, string Transition, string Kind, string RuleId, string CameraId,
    string? ZoneId, string? LineId, int Severity, string Label, float Score, int? TrackId, int ObjectCount,
    string StartedAt, string At, double? DurationSeconds, bool HasSnapshot, string FedAt) : FeedEvent(Seq);
