using EdgeSentry.Detection;
using EdgeSentry.Rules;
using EdgeSentry.Tests.Peers;
using EdgeSentry.Tracking;

namespace EdgeSentry.Tests.Rules;

/// <summary>Collects every incident transition the engine publishes, in order.</summary>
public sealed class RecordingSink : IIncidentSink
{
    public List<IncidentEvent> Events { get; } = [];

    public void Publish(IncidentEvent incident) => Events.Add(incident);

    public IEnumerable<IncidentEvent> Of(IncidentTransition transition) => Events.Where(e => e.Transition == transition);
}

/// <summary>
/// Drives a <see cref="CameraRuleEngine"/> with scripted detections on a 1000 x 1000 frame (so pixel
/// coordinates are the normalised ones x 1000) and a wall clock that follows the pts.
/// </summary>
public sealed class RuleScenario
{
    public const int Size = 1000;
    public static readonly string[] Labels = ["person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck"];
    public const int Person = 0;
    public const int Car = 2;

    /// <param name="edgeId">The engine's <see cref="CameraRuleEngine.EdgeId"/> (null: incident ids without an edge id).</param>
    public RuleScenario(
        CameraRulesDefinition rules, DateTimeOffset? wallStart = null, TimeZoneInfo? localZone = null, Func<TrackerOptions, IObjectTracker>? tracker = null,
        string cameraId = "cam1", string? edgeId = null)
    {
        WallStart = wallStart ?? new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        Time = new ManualTimeProvider(WallStart, localZone);
        Engine = tracker is null
            ? new CameraRuleEngine(cameraId, rules, Labels, Time) { EdgeId = edgeId }
            : new CameraRuleEngine(cameraId, rules, Labels, Time, tracker) { EdgeId = edgeId };
    }

    public DateTimeOffset WallStart { get; }

    public ManualTimeProvider Time { get; }

    public CameraRuleEngine Engine { get; }

    public RecordingSink Sink { get; } = new();

    public double Pts { get; private set; }

    /// <summary>A box whose bottom-centre (feet) is at (x, y) in normalised coordinates.</summary>
    public static global::EdgeSentry.Detection.Detection At(double x, double y, int classId = Person, float score = 0.9f, double width = 0.05, double height = 0.15) =>
        new(classId, score, new BoundingBox(
            (float)((x - (width / 2)) * Size), (float)((y - height) * Size),
            (float)((x + (width / 2)) * Size), (float)(y * Size)));

    public void Frame(double pts, params global::EdgeSentry.Detection.Detection[] detections)
    {
        Pts = pts;
        var at = WallStart + TimeSpan.FromSeconds(pts);
        Time.SetUtcNow(at);
        Engine.Process(detections, Size, Size, pts, at, Sink);
    }

    /// <summary>Frames every <paramref name="step"/> s from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive).</summary>
    public void Run(double from, double to, double step, Func<double, global::EdgeSentry.Detection.Detection[]> script)
    {
        int n = (int)Math.Round((to - from) / step);
        for (int i = 0; i < n; i++)
        {
            double t = from + (i * step);
            Frame(t, script(t));
        }
    }

    public void Flush(double pts) => Engine.Flush(pts, WallStart + TimeSpan.FromSeconds(pts), Sink);

    public static List<double[]> Square(double x1, double y1, double x2, double y2) =>
        [[x1, y1], [x2, y1], [x2, y2], [x1, y2]];
}
