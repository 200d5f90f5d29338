using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Rules;

namespace EdgeSentry.Routing;

/// <summary>
/// Builds the closed loop's messages: dispatches to units and street offices (contract dispatch.v1) and the
/// retained incident state (contract incident-state.v2), which carries an MQTT 5 message expiry and is cleared
/// with an empty retained message once the loop is over.
/// </summary>
internal sealed class DispatchMessages(IncidentMessageBuilder builder, TimeSpan stateExpiry)
{
    private readonly IncidentMessageBuilder _builder = builder;
    private readonly int _stateExpirySeconds = (int)Math.Clamp(stateExpiry.TotalSeconds, 1, uint.MaxValue / 2);

    public static IncidentDispatch DecisionOf(LoopIncident t) => new()
    {
        Reason = LoopWire.Name(t.Reason),
        UnitId = t.UnitId,
        DistanceMetres = Round(t.Distance),
        Level = t.Level,
    };

    /// <summary>A dispatch message; <paramref name="what"/> is the dispatch event (dispatched, updated, ended, withdrawn, escalated).</summary>
    public OutgoingMessage Dispatch(LoopIncident t, string recipient, string? unitId, string? street, string what, DateTimeOffset now, IncidentSnapshot? snapshot)
    {
        IncidentEvent incident = t.Last;
        _builder.TryGetCamera(incident.CameraId, out AlertCamera camera);
        string id = NewId(now);
        var payload = new DispatchPayload
        {
            MessageId = id,
            EdgeId = _builder.EdgeId,
            Recipient = recipient,
            UnitId = unitId,
            Street = street,
            Event = what,
            IncidentId = incident.IncidentId,
            Sequence = incident.Sequence,
            Transition = Wire(incident.Transition),
            Kind = incident.Kind,
            RuleId = incident.RuleId,
            CameraId = incident.CameraId,
            CameraName = camera?.Name ?? incident.CameraId,
            GridId = t.Cell.Id,
            CameraLat = t.ExactPosition ? t.Position.Lat : null,
            CameraLon = t.ExactPosition ? t.Position.Lon : null,
            Level = t.Level,
            Reason = LoopWire.Name(t.Reason),
            DistanceMetres = recipient == "unit" && unitId == t.UnitId ? Round(t.Distance) : null,
            // The clock starts when the broker has the message, so a fresh dispatch cannot name its deadline yet.
            AcceptBy = what != "withdrawn" && unitId == t.UnitId && t.AcceptBy is { } by ? IncidentMessageBuilder.Iso8601(by) : null,
            At = IncidentMessageBuilder.Iso8601(now),
            Snapshot = snapshot,
        };
        string topic = recipient == "unit" ? AlertTopics.UnitAlerts(unitId!) : AlertTopics.Escalations(street!);
        return new OutgoingMessage(id, topic, JsonSerializer.SerializeToUtf8Bytes(payload, RoutingJsonContext.Default.DispatchPayload), incident.CameraId, Qos: 1, Retain: false);
    }

    /// <summary>The retained state, with a message expiry so an edge that never returns leaves nothing behind for ever.</summary>
    public OutgoingMessage State(LoopIncident t, DateTimeOffset now)
    {
        string id = NewId(now);
        var payload = new IncidentStatePayload
        {
            MessageId = id,
            EdgeId = _builder.EdgeId,
            IncidentId = t.IncidentId,
            Revision = ++t.Revision,
            State = LoopWire.Name(t.State),
            CameraId = t.Last.CameraId,
            GridId = t.Cell.Id,
            Severity = t.Last.Severity,
            Level = t.Level,
            UnitId = t.UnitId,
            DistanceMetres = Round(t.Distance),
            Reason = LoopWire.Name(t.Reason),
            Escalations = t.Escalations,
            Ended = t.Ended,
            EndReason = t.EndReason is { } end ? LoopWire.Name(end) : null,
            ReportedAt = IncidentMessageBuilder.Iso8601(t.ReportedAt),
            DispatchedAt = t.UnitId is null ? null : IncidentMessageBuilder.Iso8601(t.DispatchedAt),
            AcceptBy = t.AcceptBy is { } by ? IncidentMessageBuilder.Iso8601(by) : null,
            At = IncidentMessageBuilder.Iso8601(now),
        };
        return new OutgoingMessage(id, AlertTopics.IncidentState(_builder.EdgeId, t.IncidentId), JsonSerializer.SerializeToUtf8Bytes(payload, RoutingJsonContext.Default.IncidentStatePayload), t.Last.CameraId, Qos: 1, Retain: true, _stateExpirySeconds);
    }

    /// <summary>An empty retained message: the broker deletes the incident's retained state.</summary>
    public OutgoingMessage ClearState(LoopIncident t, DateTimeOffset now) =>
        new(NewId(now), AlertTopics.IncidentState(_builder.EdgeId, t.IncidentId), [], t.Last.CameraId, Qos: 1, Retain: true);

    private static string NewId(DateTimeOffset now) => Guid.CreateVersion7(now).ToString("D");

    private static double? Round(double? metres) => metres is { } m ? Math.Round(m, 1) : null;

    private static string Wire(IncidentTransition transition) => transition switch
    {
        IncidentTransition.Started => "started",
        IncidentTransition.Updated => "updated",
        IncidentTransition.Ended => "ended",
        _ => throw new ArgumentOutOfRangeException(nameof(transition), transition, "unknown incident transition"),
    };
}
