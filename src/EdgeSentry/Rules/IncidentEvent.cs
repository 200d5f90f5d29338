using EdgeSentry.Detection;

namespace EdgeSentry.Rules;

/// <summary>
/// One transition of an incident, as produced by a camera's rules. Everything after detection is
/// lossless: each event is handed to the alert path, stored, and published exactly in this order.
/// Times are the frame timestamps (stream seconds) plus the wall-clock moment the frame was captured.
/// </summary>
public sealed record IncidentEvent
{
    /// <summary>Stable for the whole lifecycle; receivers key on it.</summary>
    public required string IncidentId { get; init; }
    /// <summary>1 for started, then +1 per transition; receivers drop duplicates by (IncidentId, Sequence).</summary>
    public required int Sequence { get; init; }
    public required IncidentTransition Transition { get; init; }
    public required string Kind { get; init; }
    public required string RuleId { get; init; }
    public required string CameraId { get; init; }
    public string? ZoneId { get; init; }
    public required int Severity { get; init; }
    public required int ClassId { get; init; }
    public required string Label { get; init; }
    public required float Score { get; init; }
    /// <summary>The box of the object that triggered or currently carries the incident, source pixels.</summary>
    public required BoundingBox Box { get; init; }
    public int? TrackId { get; init; }
    /// <summary>Objects currently matching (e.g. people in a crowd zone).</summary>
    public int ObjectCount { get; init; } = 1;
    public required double StartedPtsSeconds { get; init; }
    public required double PtsSeconds { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset At { get; init; }
    /// <summary>Source frame size, so receivers can relate the box to the picture.</summary>
    public required int FrameWidth { get; init; }
    public required int FrameHeight { get; init; }
    /// <summary>Set on ended: how long the condition held, in stream seconds.</summary>
    public double? DurationSeconds { get; init; }
    /// <summary>Set on ended: the peak count seen while the incident was open.</summary>
    public int? PeakObjectCount { get; init; }
    /// <summary>Line-crossing: the counting line's id (ZoneId is null then).</summary>
    public string? LineId { get; init; }
    /// <summary>Line-crossing: crossings per label during this incident (in the counted direction).</summary>
    public IReadOnlyDictionary<string, int>? ClassCounts { get; init; }
    /// <summary>Line-crossing: the direction [dx, dy] a crossing must go to count; null when both ways count.</summary>
    public IReadOnlyList<double>? LineDirection { get; init; }
}
