using EdgeSentry.Detection;
using EdgeSentry.Rules;
using EdgeSentry.Tests.Peers;
using EdgeSentry.Tests.Rules;
using EdgeSentry.Tracking;

namespace EdgeSentry.Tests.Scenarios;

/// <summary>
/// Replays a clip's detections through a <see cref="CameraRuleEngine"/> (ByteTracker and rules) in frame
/// order, with the tracker levels of the clip's model (its manifest's track birth), as the service runs it.
/// Stream time is the frames' pts; the wall clock only labels events, so the real system clock is used
/// and each frame's capture time is a fixed start plus its pts (schedules are "always" here).
/// </summary>
public static class FootageReplay
{
    public static readonly DateTimeOffset WallStart = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    /// <summary>The tracker levels the service would use for <see cref="FootageDetections.Model"/> with no <c>tracker</c> block.</summary>
    public static TrackerOptions ModelTracking { get; } =
        TrackerOptions.ForModel(ModelManifest.Resolve(SharedPaths.Model(FootageDetections.Model)).TrackBirth);

    public static (CameraRuleEngine Engine, RecordingSink Sink) Run(FootageDetections clip, CameraRulesDefinition rules)
    {
        ArgumentNullException.ThrowIfNull(clip);
        var engine = new CameraRuleEngine("footage", rules, clip.Labels, TimeProvider.System, ModelTracking);
        var sink = new RecordingSink();
        foreach (var frame in clip.Frames)
        {
            engine.Process(frame.Detections, clip.Width, clip.Height, frame.PtsSeconds, WallStart + TimeSpan.FromSeconds(frame.PtsSeconds), sink);
        }

        double end = clip.FramesDecoded / clip.FramesPerSecond;
        engine.Flush(end, WallStart + TimeSpan.FromSeconds(end), sink);
        return (engine, sink);
    }

    /// <summary>One line per event, for the test output and for assertion messages.</summary>
    public static string Describe(IEnumerable<IncidentEvent> events) => string.Join(Environment.NewLine, events.Select(e =>
        FormattableString.Invariant($"{e.PtsSeconds,7:F2} s {e.Transition,-7} {e.Kind} {e.RuleId} track {e.TrackId} {e.Label} {e.Score:F2} count {e.ObjectCount} started {e.StartedPtsSeconds:F2} duration {e.DurationSeconds:F2} peak {e.PeakObjectCount}")));
}
