using EdgeSentry.Tracking;

namespace EdgeSentry.Rules;

/// <summary>What every rule evaluator reads about the current frame; lives on the stack for one evaluation pass.</summary>
internal readonly ref struct RuleFrame
{
    public RuleFrame(
        ReadOnlySpan<EdgeSentry.Detection.Detection> detections, ReadOnlySpan<TrackedObject> tracks, TrackGeometry geometry,
        double t, double step, DateTimeOffset at, IIncidentSink sink)
    {
        Detections = detections;
        Tracks = tracks;
        Geometry = geometry;
        T = t;
        Step = step;
        At = at;
        Sink = sink;
    }

    /// <summary>This frame's unmasked detections (crowds count these, not tracks).</summary>
    public ReadOnlySpan<EdgeSentry.Detection.Detection> Detections { get; }

    /// <summary>The tracker's slot table after this frame.</summary>
    public ReadOnlySpan<TrackedObject> Tracks { get; }

    public TrackGeometry Geometry { get; }

    /// <summary>Stream time, seconds (see <see cref="StreamClock"/>).</summary>
    public double T { get; }

    /// <summary>The latest frame interval, seconds.</summary>
    public double Step { get; }

    /// <summary>Wall-clock capture time: labels events, drives schedules.</summary>
    public DateTimeOffset At { get; }

    public IIncidentSink Sink { get; }
}
