using System.Globalization;
using System.Numerics;
using EdgeSentry.Capture;
using EdgeSentry.Configuration;
using EdgeSentry.Pictures;
using EdgeSentry.Rules;
using EdgeSentry.Tracking;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Operator;

/// <summary>
/// The operator page's view into one camera, called by the camera's analyzer after tracking and rules, with the
/// frame still owned by the worker. Scores always go into <see cref="Scores"/> (a few counters per detection).
/// A frame is copied and drawn only while a viewer has asked within <see cref="ViewerLease"/> and at most every
/// <see cref="MinInterval"/>; with nobody watching the cost is one volatile read.
/// </summary>
public sealed class CameraTap : IDisposable
{
    public static readonly TimeSpan ViewerLease = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(250);

    private readonly IReadOnlyList<string> _labels;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SceneOverlay _scene;
    private readonly SnapshotRenderer _renderer = new(75);
    // Frame times (TimeProvider timestamps) of the last frames seen, for frames/s; written by the worker only.
    private readonly long[] _seen = new long[32];
    private long _seenCount;
    private long _watchedUntil;
    private long _lastDrawn;
    private long _sequence;
    private LiveFrame? _latest;

    public CameraTap(CameraSection camera, IReadOnlyList<string> labels, float detectorThreshold, TimeProvider timeProvider, ILogger logger)
    {
        Camera = camera;
        _labels = labels;
        DetectorThreshold = detectorThreshold;
        _time = timeProvider;
        _logger = logger;
        _scene = SceneOf(camera.Analytics);
        Scores = new ScoreStatistics();
    }

    public CameraSection Camera { get; }

    /// <summary>The tracker levels the camera's engine really uses (the model's track birth, overridden by its tracker block).</summary>
    public Tracking.TrackerOptions Tracker { get; set; } = new();

    public float DetectorThreshold { get; }

    public ScoreStatistics Scores { get; }

    /// <summary>The latest drawn frame, or null before a viewer asked (or before the first frame after that).</summary>
    public LiveFrame? Latest => Volatile.Read(ref _latest);

    /// <summary>A viewer asked: draw frames for the next <see cref="ViewerLease"/>.</summary>
    public void Watch() => Volatile.Write(ref _watchedUntil, _time.GetTimestamp() + (long)(ViewerLease.TotalSeconds * _time.TimestampFrequency));

    public bool Watched => _time.GetTimestamp() < Volatile.Read(ref _watchedUntil);

    /// <summary>Frames per second the analyzer handed over recently (0 until two frames were seen).</summary>
    public double FramesPerSecond
    {
        get
        {
            long n = Interlocked.Read(ref _seenCount);
            if (n < 2)
            {
                return 0;
            }

            int count = (int)Math.Min(n, _seen.Length);
            long last = Volatile.Read(ref _seen[(n - 1) % _seen.Length]);
            long first = Volatile.Read(ref _seen[(n - count) % _seen.Length]);
            double seconds = _time.GetElapsedTime(first, last).TotalSeconds;
            return seconds > 0 ? Math.Round((count - 1) / seconds, 1) : 0;
        }
    }

    /// <summary>
    /// The hook (on the camera's worker): detections as the detector gave them, the tracker's table after this frame.
    /// Never throws for a picture problem: the live view is not worth a frame of analysis.
    /// </summary>
    public void Observe(Frame frame, ReadOnlySpan<EdgeSentry.Detection.Detection> detections, ReadOnlySpan<TrackedObject> tracks)
    {
        long now = _time.GetTimestamp();
        long n = _seenCount;
        Volatile.Write(ref _seen[n % _seen.Length], now);
        Interlocked.Exchange(ref _seenCount, n + 1);
        Scores.Add(detections, frame.CapturedAt);

        if (now >= Volatile.Read(ref _watchedUntil) || !PictureSupport.IsAvailable)
        {
            return;
        }

        if (_lastDrawn != 0 && _time.GetElapsedTime(_lastDrawn, now) < MinInterval)
        {
            return;
        }

        _lastDrawn = now;
        var boxes = new List<LiveBox>(detections.Length);
        var overlayBoxes = new List<OverlayBox>(detections.Length);
        // The tracker indexes the detections that survived the masks, not these: a track claims the detection whose
        // box it took this frame (same class, same box).
        var trackOf = new int?[detections.Length];
        foreach (ref readonly var t in tracks)
        {
            if (!t.IsVisible)
            {
                continue;
            }

            for (int i = 0; i < detections.Length; i++)
            {
                if (trackOf[i] is null && detections[i].ClassId == t.ClassId && detections[i].Box.IntersectionOverUnion(t.Box) > 0.95f)
                {
                    trackOf[i] = t.Id;
                    break;
                }
            }
        }

        for (int i = 0; i < detections.Length; i++)
        {
            var d = detections[i];
            string label = LabelOf(d.ClassId);
            var colour = ClassPalette.For(d.ClassId);
            overlayBoxes.Add(new OverlayBox(d.Box, d.ClassId, string.Create(CultureInfo.InvariantCulture, $"{label} {d.Score:0.00}"), trackOf[i]));
            boxes.Add(new LiveBox(d.Box.X1, d.Box.Y1, d.Box.X2, d.Box.Y2, d.ClassId, label, MathF.Round(d.Score, 3), trackOf[i], $"#{colour.R:x2}{colour.G:x2}{colour.B:x2}"));
        }

        var overlay = new SceneOverlay { Boxes = overlayBoxes, Zones = _scene.Zones, Lines = _scene.Lines, Masks = _scene.Masks };
        try
        {
            byte[]? jpeg = _renderer.RenderJpeg(frame.Image, overlay);
            if (jpeg is not null)
            {
                Volatile.Write(ref _latest, new LiveFrame(++_sequence, frame.Width, frame.Height, frame.CapturedAt, frame.CapturedTimestamp, boxes, jpeg));
            }
        }
        catch (OpenCvSharp.OpenCVException e)
        {
            OperatorLog.LiveFrameFailed(_logger, Camera.Id, e.Message);
        }
    }

    public string LabelOf(int classId) =>
        classId >= 0 && classId < _labels.Count ? _labels[classId] : classId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Called once the camera's lane is idle (removed or replaced): no frame reaches the renderer after this.</summary>
    public void Dispose() => _renderer.Dispose();

    /// <summary>Zones (yellow outlines), lines (cyan, with the counted direction) and masks of the camera's configuration.</summary>
    public static SceneOverlay SceneOf(CameraRulesDefinition analytics) => new()
    {
        Zones = [.. analytics.Zones.Select(z => new OverlayPolygon(Points(z.Polygon), BgrColor.Yellow, z.Id))],
        Masks = [.. analytics.Masks.Select(m => new OverlayPolygon(Points(m.Polygon), BgrColor.Magenta, m.Id))],
        Lines = [.. analytics.Lines.Where(l => l.From.Length == 2 && l.To.Length == 2).Select(l => new OverlayLine(
            new Vector2((float)l.From[0], (float)l.From[1]), new Vector2((float)l.To[0], (float)l.To[1]), BgrColor.Cyan,
            l.Direction is [var dx, var dy] ? new Vector2((float)dx, (float)dy) : null, l.Id))],
    };

    private static Vector2[] Points(List<double[]> polygon) =>
        [.. polygon.Where(p => p.Length == 2).Select(p => new Vector2((float)p[0], (float)p[1]))];
}
