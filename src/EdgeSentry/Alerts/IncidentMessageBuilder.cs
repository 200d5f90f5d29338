using System.Globalization;
using System.Text.Json;
using EdgeSentry.Rules;

namespace EdgeSentry.Alerts;

/// <summary>Turns incident events into versioned JSON messages on the camera's alert topic.</summary>
public sealed class IncidentMessageBuilder
{
    private readonly string _edgeId;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, AlertCamera> _cameras;
    private readonly TimeProvider _time;

    public IncidentMessageBuilder(string edgeId, IEnumerable<AlertCamera> cameras, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(cameras);
        _edgeId = AlertTopics.Segment(edgeId, "edge id");
        _time = time ?? TimeProvider.System;
        _cameras = new System.Collections.Concurrent.ConcurrentDictionary<string, AlertCamera>(StringComparer.Ordinal);
        foreach (AlertCamera camera in cameras)
        {
            AlertTopics.Segment(camera.Id, "camera id");
            AlertTopics.Segment(camera.GridId, $"grid id of camera '{camera.Id}'");
            if (!_cameras.TryAdd(camera.Id, camera))
            {
                throw new ArgumentException($"camera id '{camera.Id}' appears twice", nameof(cameras));
            }
        }
    }

    public string EdgeId => _edgeId;

    /// <summary>
    /// Adds or updates a camera (configuration reload). Cameras are never removed: an incident of a removed
    /// camera still has to end properly.
    /// </summary>
    public void SetCamera(AlertCamera camera)
    {
        ArgumentNullException.ThrowIfNull(camera);
        AlertTopics.Segment(camera.Id, "camera id");
        AlertTopics.Segment(camera.GridId, $"grid id of camera '{camera.Id}'");
        _cameras[camera.Id] = camera;
    }

    public OutgoingMessage Build(IncidentEvent incident, IncidentSnapshot? snapshot = null) => Build(incident, snapshot, dispatch: null);

    /// <summary>Builds the camera-topic message, carrying the routing decision when there is one.</summary>
    public OutgoingMessage Build(IncidentEvent incident, IncidentSnapshot? snapshot, IncidentDispatch? dispatch)
    {
        ArgumentNullException.ThrowIfNull(incident);
        if (!_cameras.TryGetValue(incident.CameraId, out AlertCamera? camera))
        {
            throw new ArgumentException($"incident {incident.IncidentId} names camera '{incident.CameraId}', which is not configured for alerts", nameof(incident));
        }

        // UUIDv7: unique, and sorts by creation time, which helps receivers and the outbox alike.
        string messageId = Guid.CreateVersion7(_time.GetUtcNow()).ToString("D");
        var payload = new IncidentPayload
        {
            MessageId = messageId,
            EdgeId = _edgeId,
            IncidentId = incident.IncidentId,
            Sequence = incident.Sequence,
            Transition = incident.Transition switch
            {
                IncidentTransition.Started => "started",
                IncidentTransition.Updated => "updated",
                IncidentTransition.Ended => "ended",
                _ => throw new ArgumentOutOfRangeException(nameof(incident), incident.Transition, "unknown incident transition"),
            },
            Kind = incident.Kind,
            RuleId = incident.RuleId,
            CameraId = camera.Id,
            CameraName = camera.Name,
            GridId = camera.GridId,
            ZoneId = incident.ZoneId,
            Severity = incident.Severity,
            Object = new IncidentObject
            {
                ClassId = incident.ClassId,
                Label = incident.Label,
                Score = incident.Score,
                Box = [incident.Box.X1, incident.Box.Y1, incident.Box.X2, incident.Box.Y2],
                TrackId = incident.TrackId,
            },
            ObjectCount = incident.ObjectCount,
            Line = incident.LineId is { } lineId
                ? new IncidentLine
                {
                    LineId = lineId,
                    Counted = incident.LineDirection is null ? "both" : "direction",
                    Direction = incident.LineDirection,
                    ClassCounts = incident.ClassCounts ?? new Dictionary<string, int>(),
                }
                : null,
            Frame = new FrameSize(incident.FrameWidth, incident.FrameHeight),
            StartedAt = Iso8601(incident.StartedAt),
            At = Iso8601(incident.At),
            PtsSeconds = incident.PtsSeconds,
            StartedPtsSeconds = incident.StartedPtsSeconds,
            DurationSeconds = incident.DurationSeconds,
            PeakObjectCount = incident.PeakObjectCount,
            Snapshot = snapshot,
            Dispatch = dispatch,
        };

        byte[] json = JsonSerializer.SerializeToUtf8Bytes(payload, AlertJsonContext.Default.IncidentPayload);
        return new OutgoingMessage(messageId, AlertTopics.Alerts(camera.GridId, _edgeId, camera.Id), json, camera.Id, Qos: 1, Retain: false);
    }

    public bool TryGetCamera(string cameraId, out AlertCamera camera) => _cameras.TryGetValue(cameraId, out camera!);

    public byte[] Status(string state, DateTimeOffset? at, EdgeStatusHealth? health = null) =>
        JsonSerializer.SerializeToUtf8Bytes(
            new EdgeStatusPayload { EdgeId = _edgeId, State = state, At = at is { } t ? Iso8601(t) : null, Health = health },
            AlertJsonContext.Default.EdgeStatusPayload);

    internal static string Iso8601(DateTimeOffset moment) =>
        moment.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
