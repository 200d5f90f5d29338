using System.Numerics;
using EdgeSentry.Alerts;
using EdgeSentry.Capture;
using EdgeSentry.Diagnostics;
using EdgeSentry.Pictures;
using EdgeSentry.Rules;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Pipeline;

/// <summary>
/// The lossless hand-over from the cameras' rules to the broker. A started incident gets its snapshot
/// rendered while the frame is still owned by the worker; every transition is then committed to the
/// durable outbox before this returns (so detection waits for the disk, never drops), and the outbox
/// sends it in order and deletes it on PUBACK.
/// </summary>
public sealed class AlertHandoff : IIncidentHandler, IDisposable
{
    private readonly IncidentDispatcher _dispatcher;
    private readonly IReadOnlyDictionary<(string Camera, string Zone), Vector2[]> _zones;
    private readonly SnapshotRenderer _renderer;
    private readonly Lock _renderGate = new();
    private readonly ILogger _logger;
    private readonly EdgeSentryMetrics? _metrics;
    private long _stored;

    public AlertHandoff(IncidentDispatcher dispatcher, IReadOnlyDictionary<(string Camera, string Zone), Vector2[]> zones, ILogger logger, EdgeSentryMetrics? metrics = null)
    {
        _dispatcher = dispatcher;
        _zones = zones;
        _renderer = new SnapshotRenderer();
        _logger = logger;
        _metrics = metrics;
        if (!PictureSupport.IsAvailable)
        {
            // Once, at start: every alert after this goes out without a picture, which is not worth a line each.
            PicturesLog.Unavailable(logger, PictureSupport.UnavailableReason!, PictureSupport.Remedy);
        }
    }

    /// <summary>Operator page (issue 13): hears every transition once it is committed, for the live incident feed.</summary>
    public Operator.IncidentFeed? Feed { get; init; }

    /// <summary>Transitions committed to the outbox.</summary>
    public long Stored => Interlocked.Read(ref _stored);

    public async ValueTask HandleAsync(IncidentEvent incident, Frame? frame, CancellationToken cancellationToken)
    {
        IncidentSnapshot? snapshot = null;
        if (incident.Transition == IncidentTransition.Started && frame is not null)
        {
            snapshot = RenderSnapshot(incident, frame);
        }

        await _dispatcher.DispatchAsync(incident, snapshot, cancellationToken);

        Interlocked.Increment(ref _stored);
        Feed?.Publish(incident, snapshot); // operator page tap (issue 13)
        _metrics?.Incidents.Add(1, new("kind", incident.Kind), new("severity", incident.Severity), new("transition", incident.Transition.ToString().ToLowerInvariant()));
        PipelineLog.Incident(_logger, incident.IncidentId, incident.Transition.ToString().ToLowerInvariant(), incident.Kind, incident.CameraId, incident.Label, incident.ZoneId);
    }

    private IncidentSnapshot? RenderSnapshot(IncidentEvent incident, Frame frame)
    {
        if (!PictureSupport.IsAvailable)
        {
            return null;
        }

        var overlay = new SceneOverlay
        {
            Boxes = [new OverlayBox(incident.Box, incident.ClassId, $"{incident.Label} {incident.Score:0.00}", incident.TrackId)],
            Zones = incident.ZoneId is { } z && _zones.TryGetValue((incident.CameraId, z), out var poly) ? [new OverlayPolygon(poly, BgrColor.Yellow, z)] : [],
        };
        try
        {
            lock (_renderGate)
            {
                return _renderer.Render(frame.Image, overlay);
            }
        }
        catch (OpenCvSharp.OpenCVException e)
        {
            // One bad picture must not cost the alert: it goes out without it.
            PipelineLog.SnapshotFailed(_logger, incident.CameraId, e.Message);
            return null;
        }
    }

    public void Dispose() => _renderer.Dispose();
}
