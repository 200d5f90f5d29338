using BenchmarkDotNet.Attributes;
using EdgeSentry.Detection;
using EdgeSentry.Rules;
using EdgeSentry.Tracking;

namespace EdgeSentry.Benchmarks.Rules;

/// <summary>
/// One camera frame through tracker + rules with 50 tracked objects and 10 rules of every kind.
/// The objects sway on closed paths so that, after the warm-up, incidents stay open without transitions:
/// what is measured is the steady per-frame cost, which must allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class RuleEngineBenchmarks
{
    private const int Width = 1920;
    private const int Height = 1080;
    private const int Objects = 50;
    private const int Cycle = 250;
    private static readonly string[] Labels = ["person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck"];

    private global::EdgeSentry.Detection.Detection[][] _frames = [];
    private CameraRuleEngine _engine = null!;
    private IObjectTracker _byte = null!;
    private IObjectTracker _iou = null!;
    private readonly CountingSink _sink = new();
    private int _engineFrame;
    private int _byteFrame;
    private int _iouFrame;
    private DateTimeOffset _start;

    [GlobalSetup]
    public void Setup()
    {
        _frames = new global::EdgeSentry.Detection.Detection[Cycle][];
        for (int f = 0; f < Cycle; f++)
        {
            double phase = 2 * Math.PI * f / Cycle;
            _frames[f] = new global::EdgeSentry.Detection.Detection[Objects];
            for (int i = 0; i < Objects; i++)
            {
                int col = i % 10, row = i / 10;
                bool car = i % 5 == 0;
                double x = 60 + (col * 185) + (6 * Math.Sin(phase + i));
                double y = 120 + (row * 190) + (4 * Math.Cos(phase + i));
                double w = car ? 120 : 45, h = car ? 80 : 130;
                _frames[f][i] = new global::EdgeSentry.Detection.Detection(car ? 2 : 0, 0.55f + (0.4f * (i % 3) / 2), new BoundingBox((float)x, (float)y, (float)(x + w), (float)(y + h)));
            }
        }

        var definition = new CameraRulesDefinition
        {
            Zones =
            [
                new ZoneDefinition { Id = "left", Polygon = [[0, 0], [0.5, 0], [0.5, 1], [0, 1]], Direction = [1, 0] },
                new ZoneDefinition { Id = "right", Polygon = [[0.5, 0], [1, 0], [1, 1], [0.5, 1]] },
                new ZoneDefinition { Id = "middle", Polygon = [[0.2, 0.2], [0.8, 0.2], [0.9, 0.6], [0.5, 0.9], [0.1, 0.6]] },
            ],
            Lines = [new LineDefinition { Id = "across", From = [0.05, 0.5], To = [0.95, 0.5], Direction = [0, 1] }],
            Masks = [new ZoneDefinition { Id = "sky", Polygon = [[0, 0], [1, 0], [1, 0.05], [0, 0.05]] }],
            Rules =
            [
                Rule("intrusion-left", "intrusion", "left", ["person"]),
                Rule("intrusion-middle", "intrusion", "middle", []),
                Rule("loiter-right", "loitering", "right", ["person"], dwell: 2),
                Rule("loiter-middle", "loitering", "middle", ["person"], dwell: 2),
                Rule("crowd-left", "crowd", "left", ["person"], dwell: 1, r => r.MinCount = 10),
                Rule("parking-right", "parking", "right", ["car"], dwell: 2),
                Rule("parking-middle", "parking", "middle", ["car"], dwell: 2),
                Rule("wrong-way-left", "wrong-way", "left", ["car"]),
                Rule("line-all", "line-crossing", null, [], tweak: r => r.Line = "across"),
                Rule("loiter-schedule", "loitering", null, ["person"], dwell: 2, r => r.Schedule = new ScheduleDefinition { Windows = ["00:00-24:00"], TimeZone = "Asia/Shanghai" }),
            ],
            Tracker = new TrackerDefinition { MaxTracks = 64 },
        };

        _start = new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
        _engine = new CameraRuleEngine("bench", definition, Labels, TimeProvider.System);
        _byte = new ByteTracker(new TrackerOptions { MaxTracks = 64 });
        _iou = new IouTracker(new TrackerOptions { MaxTracks = 64 });

        // Warm up past every dwell time so incidents are open and the steady state is what gets measured.
        for (int i = 0; i < 500; i++)
        {
            EngineFrame();
            ByteTrackerFrame();
            IouTrackerFrame();
        }

        if (_sink.Count == 0)
        {
            throw new InvalidOperationException("the warm-up opened no incident: the benchmark would not exercise the rules");
        }

        _sink.Reset();
    }

    [Benchmark(Description = "tracker + 10 rules, 50 objects")]
    public void EngineFrame()
    {
        int f = _engineFrame++;
        double pts = f * 0.04;
        _engine.Process(_frames[f % Cycle], Width, Height, pts, _start.AddTicks(f * 400_000L), _sink);
    }

    [Benchmark(Description = "ByteTracker only, 50 objects")]
    public void ByteTrackerFrame() => TrackerFrame(_byte, ref _byteFrame);

    [Benchmark(Baseline = true, Description = "IouTracker only, 50 objects")]
    public void IouTrackerFrame() => TrackerFrame(_iou, ref _iouFrame);

    private void TrackerFrame(IObjectTracker tracker, ref int frame)
    {
        int f = frame++;
        tracker.Update(_frames[f % Cycle], f * 0.04);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Printed into the benchmark log: a steady state that still publishes would explain any allocation.
        Console.WriteLine($"// incident transitions published after warm-up: {_sink.Count}");
    }

    private static RuleDefinition Rule(string id, string kind, string? zone, List<string> classes, double? dwell = null, Action<RuleDefinition>? tweak = null)
    {
        var r = new RuleDefinition { Id = id, Kind = kind, Zone = zone, Classes = classes, DwellSeconds = dwell, UpdateSeconds = 0, HoldSeconds = 2 };
        tweak?.Invoke(r);
        return r;
    }

    private sealed class CountingSink : IIncidentSink
    {
        public long Count { get; private set; }

        public void Publish(IncidentEvent incident) => Count++;

        public void Reset() => Count = 0;
    }
}
