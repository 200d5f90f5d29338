using System.Text.Json.Serialization;

namespace EdgeSentry.Operator;

// What the operator's page reads, as JSON. Strings from configuration or the network travel as data; the page
// puts them into the DOM as text only.

/// <summary>A camera in the page's list: its URL is redacted before it gets here.</summary>
public sealed record CameraView(
    string Id, string Name, string Url, string State, long FramesDecoded, long Dropped, long Reconnects,
    double FramesPerSecond, double FrameAgeMs, bool Live);

/// <summary>A box on a live frame, in the frame's pixels, with the colour it is drawn in ("#rrggbb").</summary>
public sealed record LiveBox(float X1, float Y1, float X2, float Y2, int ClassId, string Label, float Score, int? TrackId, string Color);

/// <summary>The latest drawn frame (JPEG, base64) with what is drawn on it.</summary>
public sealed record LiveFramePayload(
    string CameraId, long Sequence, int Width, int Height, string CapturedAt, double AgeMs, IReadOnlyList<LiveBox> Boxes, string Jpeg);

/// <summary>What the incident feed carries, numbered in the order it happened (the SSE id).</summary>
public abstract record FeedEvent(long Seq);

/// <summary>One incident transition as the feed shows it.</summary>
public sealed record FeedItem(
    long Seq, string IncidentId, int Sequence, string Transition, string Kind, string RuleId, string CameraId,
    string? ZoneId, string? LineId, int Severity, string Label, float Score, int? TrackId, int ObjectCount,
    string StartedAt, string At, double? DurationSeconds, bool HasSnapshot, string FedAt) : FeedEvent(Seq);

/// <summary>
/// An incident's dispatch and closed-loop state after a change the router stored (wire names of the incident-state
/// message): the unit holding it and at which level, whether the broker took the dispatch (its clock runs until
/// <c>AcceptBy</c>), the unit's acknowledgement, escalations, and why it ended.
/// </summary>
public sealed record LoopItem(
    long Seq, string IncidentId, string State, int Level, string? UnitId, double? DistanceMetres, string Reason,
    int Escalations, IReadOnlyList<string> Tried, string? AcceptBy, bool Delivered, bool Ended, string? EndReason, string At) : FeedEvent(Seq);

/// <summary>A rule's minimum score for a class and how many of the window's detections it ignores.</summary>
public sealed record RuleThresholdView(string RuleId, double MinScore, int Ignored);

/// <summary>One class of one camera in the detector view.</summary>
public sealed record DetectorClassView(
    int ClassId, string Label, int Total, IReadOnlyList<int> Histogram,
    double TrackerLowScore, int IgnoredByTracker, double TrackerNewTrackScore, int CannotStartTrack,
    IReadOnlyList<RuleThresholdView> Rules, double? SuggestedThreshold);

/// <summary>The detector view of a camera: the window, the detector's own cut-off and the classes seen.</summary>
public sealed record DetectorView(string CameraId, int WindowMinutes, double DetectorThreshold, int HistogramBins, string SuggestionRule, IReadOnlyList<DetectorClassView> Classes);

/// <summary>A validation error where the page can put it: the JSON path and the message.</summary>
public sealed record EditError(string Path, string Message);

/// <summary>The answer to a save: saved (and where the backup went) or the errors, nothing written.</summary>
public sealed record EditResult(bool Saved, string? Backup, IReadOnlyList<EditError> Errors);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<CameraView>))]
[JsonSerializable(typeof(LiveFramePayload))]
[JsonSerializable(typeof(FeedItem))]
[JsonSerializable(typeof(LoopItem))]
[JsonSerializable(typeof(DetectorView))]
[JsonSerializable(typeof(EditResult))]
internal sealed partial class OperatorJson : JsonSerializerContext;
