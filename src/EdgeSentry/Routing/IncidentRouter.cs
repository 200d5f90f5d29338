using System.Diagnostics.Metrics;
using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Rules;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Routing;

/// <summary>Where a camera is: its configured grid id wins over its position (see <see cref="GridMap.Locate"/>).</summary>
public sealed record RoutedCamera(string Id, string? GridId, GeoPoint? Position);

/// <summary>The router's view of one incident, for tests and diagnostics.</summary>
public sealed record DispatchView(string IncidentId, string State, int Level, string? UnitId, double? DistanceMetres, string Reason, int Escalations, IReadOnlyList<string> Tried, DateTimeOffset? AcceptBy);

/// <summary>
/// Closes the loop between incidents and grid workers: routes every started incident to the nearest on-duty unit
/// (own cell, then neighbouring cells, then the centre only), follows acknowledgements, and when a unit does not
/// accept within the level's SLA hands the incident to the next nearest unit one level higher.
/// <para>Every message it produces (camera alert with the decision, unit alert, street escalation, retained
/// closed-loop state) is committed to the durable outbox before the call returns. One gate serialises incidents,
/// unit input and SLA expiry, so a state and the messages describing it are stored in the order they happened.</para>
/// </summary>
public sealed class IncidentRouter : IDisposable
{
    public const string MeterName = "EdgeSentry.Routing";

    private readonly GridMap map;
    private readonly UnitRoster roster;
    private readonly RoutingOptions options;
    private readonly IncidentMessageBuilder builder;
    private readonly AlertOutbox outbox;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Dictionary<string, (GridCell Cell, GeoPoint Position, bool Exact)> cameras = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tracked> incidents = new(StringComparer.Ordinal);
    private readonly Queue<string> arrival = new();
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly long[] statusCounts = new long[Enum.GetValues<InputOutcome>().Length];
    private readonly long[] ackCounts = new long[Enum.GetValues<InputOutcome>().Length];
    private readonly long[] dispatchCounts = new long[4];
    private readonly Meter meter;
    private readonly bool ownsMeter;
    private long evicted;
    private long escalations;

    public IncidentRouter(
        GridMap map,
        UnitRoster roster,
        IEnumerable<RoutedCamera> cameras,
        RoutingOptions options,
        IncidentMessageBuilder builder,
        AlertOutbox outbox,
        TimeProvider? time = null,
        ILogger<IncidentRouter>? logger = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(roster);
        ArgumentNullException.ThrowIfNull(cameras);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.map = map;
        this.roster = roster;
        this.options = options;
        this.builder = builder ?? throw new ArgumentNullException(nameof(builder));
        this.outbox = outbox ?? throw new ArgumentNullException(nameof(outbox));
        this.time = time ?? TimeProvider.System;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        foreach (UnitDefinition unit in roster.Units)
        {
            if (!map.TryGetCell(unit.GridId, out _))
            {
                throw new ArgumentException($"unit '{unit.Id}': gridId '{unit.GridId}' is not a cell of the grid map", nameof(roster));
            }
        }

        foreach (RoutedCamera camera in cameras)
        {
            SetCamera(camera);
        }

        ownsMeter = meterFactory is null;
        meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        meter.CreateObservableCounter("edgesentry.routing.unit_input", UnitInputMeasurements, description: "Unit statuses and acks by outcome (accepted, malformed, not-dispatched, ...)");
        meter.CreateObservableCounter("edgesentry.routing.dispatches", DispatchMeasurements, description: "Routing decisions by reason");
        meter.CreateObservableCounter("edgesentry.routing.escalations", () => Interlocked.Read(ref escalations), description: "Incidents re-dispatched because the SLA expired");
        meter.CreateObservableCounter("edgesentry.routing.evicted", () => Interlocked.Read(ref evicted), description: "Incidents forgotten beyond maxTrackedIncidents");
    }

    private static readonly string[] Reasons = ["nearest-in-cell", "neighbour-cell", "escalated", "no-unit"];

    public UnitRoster Roster => roster;

    public long Evicted => Interlocked.Read(ref evicted);

    /// <summary>How many unit statuses ended with <paramref name="outcome"/>.</summary>
    public long StatusCount(InputOutcome outcome) => Interlocked.Read(ref statusCounts[(int)outcome]);

    /// <summary>How many acknowledgements ended with <paramref name="outcome"/>.</summary>
    public long AckCount(InputOutcome outcome) => Interlocked.Read(ref ackCounts[(int)outcome]);

    /// <summary>Places a camera in its cell (configuration reload adds or moves cameras). Throws naming the camera.</summary>
    public void SetCamera(RoutedCamera camera)
    {
        ArgumentNullException.ThrowIfNull(camera);
        GridCell cell = map.Locate(camera.Id, camera.GridId, camera.Position);
        lock (cameras)
        {
            cameras[camera.Id] = (cell, camera.Position ?? cell.Centre, camera.Position is not null);
        }
    }

    public async Task<DispatchView?> FindAsync(string incidentId, CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            return incidents.TryGetValue(incidentId, out Tracked? t)
                ? new DispatchView(t.IncidentId, t.State, t.Level, t.UnitId, t.Distance, t.Reason, t.Escalations, [.. t.Tried], t.AcceptBy)
                : null;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Routes one incident transition and commits every resulting message to the outbox: a started incident is
    /// dispatched; updated and ended go to the unit that holds it. Returns the messages in the order stored.
    /// </summary>
    public async Task<IReadOnlyList<OutgoingMessage>> RouteAsync(IncidentEvent incident, IncidentSnapshot? snapshot = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(incident);
        await gate.WaitAsync(cancellationToken);
        try
        {
            DateTimeOffset now = time.GetUtcNow();
            var messages = new List<OutgoingMessage>(4);
            if (incident.Transition == IncidentTransition.Started && !incidents.ContainsKey(incident.IncidentId))
            {
                Tracked t = Track(incident, now);
                Decide(t, now, escalating: false);
                messages.Add(builder.Build(incident, snapshot, DispatchOf(t)));
                if (t.UnitId is { } unit)
                {
                    messages.Add(Dispatch(t, "unit", unit, null, "dispatched", now, snapshot));
                }

                AddStreetEscalation(t, now, snapshot, messages);
                messages.Add(State(t, now));
            }
            else if (incidents.TryGetValue(incident.IncidentId, out Tracked? t))
            {
                t.Last = incident;
                messages.Add(builder.Build(incident, snapshot, DispatchOf(t)));
                if (t.UnitId is { } unit && t.State != "resolved")
                {
                    string what = incident.Transition == IncidentTransition.Ended ? "ended" : "updated";
                    messages.Add(Dispatch(t, "unit", unit, null, what, now, snapshot));
                }

                if (incident.Transition == IncidentTransition.Ended && !t.Ended)
                {
                    t.Ended = true;
                    messages.Add(State(t, now));
                }
            }
            else
            {
                // Forgotten (evicted) or from before a restart: the centre still gets it, without a routing decision.
                messages.Add(builder.Build(incident, snapshot, null));
            }

            await outbox.EnqueueAsync(messages, cancellationToken);
            return messages;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Escalates every dispatched incident whose unit has not accepted within its level's SLA: one level up (at
    /// most 3), to the nearest on-duty unit not tried yet. Returns the messages stored.
    /// </summary>
    public async Task<IReadOnlyList<OutgoingMessage>> ExpireDueAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            DateTimeOffset now = time.GetUtcNow();
            var messages = new List<OutgoingMessage>();
            foreach (Tracked t in incidents.Values.Where(t => t.State == "dispatched" && t.AcceptBy <= now).ToList())
            {
                string previous = t.UnitId!;
                TimeSpan sla = options.Sla(t.Level);
                t.Level = Math.Min(3, t.Level + 1);
                t.Escalations++;
                Interlocked.Increment(ref escalations);
                RoutingLog.SlaExpired(logger, t.IncidentId, previous, sla, t.Level);
                messages.Add(Dispatch(t, "unit", previous, null, "withdrawn", now, null));
                Decide(t, now, escalating: true);
                if (t.UnitId is { } next)
                {
                    messages.Add(Dispatch(t, "unit", next, null, "dispatched", now, null));
                }

                AddStreetEscalation(t, now, null, messages);
                messages.Add(State(t, now));
            }

            if (messages.Count > 0)
            {
                await outbox.EnqueueAsync(messages, cancellationToken);
            }

            return messages;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Takes one message from a unit (status or acknowledgement). Untrusted: size-limited, strictly validated, only
    /// the unit an incident is dispatched to may acknowledge it. Never throws for bad input; every outcome is counted.
    /// </summary>
    public async Task<InputOutcome> HandleAsync(MqttMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!UnitInput.TryParseTopic(message.Topic, out string unitId, out string kind))
        {
            return InputOutcome.IgnoredTopic;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            InputOutcome outcome = kind == "status"
                ? ApplyStatus(unitId, message.Payload.Span)
                : await ApplyAckAsync(unitId, message.Payload, cancellationToken);
            long count = Interlocked.Increment(ref (kind == "status" ? statusCounts : ackCounts)[(int)outcome]);
            // Hostile or broken senders can produce thousands a second: the first of each kind and every 1000th is
            // logged, the metrics count them all.
            if (outcome is not (InputOutcome.Accepted or InputOutcome.Duplicate or InputOutcome.Cleared) && (count == 1 || count % 1000 == 0))
            {
                RoutingLog.InputRejected(logger, kind, roster.IsKnown(unitId) ? unitId : "(unknown)", outcome, count);
            }

            return outcome;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Subscribes to unit statuses and acknowledgements (now and after every reconnect), then handles what arrives
    /// and expires SLAs every <see cref="RoutingOptions.SlaCheckInterval"/> until cancelled. With
    /// <paramref name="itemFault"/>, a unit message whose handling throws is reported there and skipped; a fault of
    /// the SLA loop ends this method with that fault (the caller's supervisor restarts it).
    /// </summary>
    public async Task RunAsync(MqttConnection connection, CancellationToken cancellationToken, Action<string, Exception, string?>? itemFault = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        connection.SubscribeOnConnect($"{AlertTopics.Root}/units/+/status", 1);
        connection.SubscribeOnConnect($"{AlertTopics.Root}/units/+/acks", 1);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task ticking = TickOrStopAsync();
        try
        {
            await foreach (MqttMessage message in connection.Messages.ReadAllAsync(stop.Token))
            {
                try
                {
                    await HandleAsync(message, stop.Token);
                }
                catch (Exception e) when (itemFault is not null && e is not OperationCanceledException)
                {
                    itemFault("unit-input", e, message.Topic);
                }
            }
        }
        catch (OperationCanceledException) when (ticking.IsFaulted)
        {
            // Reported by awaiting the SLA loop below.
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await ticking;
            }
            catch (OperationCanceledException)
            {
                // The SLA loop ends with the router.
            }
        }

        // A failed SLA loop stops the input loop too, so the fault surfaces now rather than at shutdown.
        async Task TickOrStopAsync()
        {
            try
            {
                await TickAsync(stop.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await stop.CancelAsync();
                throw;
            }
        }
    }

    public void Dispose()
    {
        gate.Dispose();
        if (ownsMeter)
        {
            meter.Dispose();
        }
    }

    private IEnumerable<Measurement<long>> UnitInputMeasurements()
    {
        foreach (InputOutcome outcome in Enum.GetValues<InputOutcome>())
        {
            yield return new Measurement<long>(StatusCount(outcome), new("kind", "status"), new("outcome", outcome.ToString()));
            yield return new Measurement<long>(AckCount(outcome), new("kind", "ack"), new("outcome", outcome.ToString()));
        }
    }

    private IEnumerable<Measurement<long>> DispatchMeasurements()
    {
        for (int i = 0; i < Reasons.Length; i++)
        {
            yield return new Measurement<long>(Interlocked.Read(ref dispatchCounts[i]), new KeyValuePair<string, object?>("reason", Reasons[i]));
        }
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await Task.Delay(options.SlaCheckInterval, time, cancellationToken);
            await ExpireDueAsync(cancellationToken);
        }
    }

    private InputOutcome ApplyStatus(string unitId, ReadOnlySpan<byte> payload)
    {
        if (!roster.IsKnown(unitId))
        {
            return InputOutcome.UnknownUnit;
        }

        if (payload.IsEmpty)
        {
            roster.Clear(unitId);
            return InputOutcome.Cleared;
        }

        InputOutcome outcome = UnitInput.TryReadStatus(payload, unitId, options.MaxInputBytes, out UnitStatus? status);
        if (outcome != InputOutcome.Accepted)
        {
            return outcome;
        }

        if (status!.At > time.GetUtcNow() + options.MaxClockSkew)
        {
            return InputOutcome.OutOfOrder;
        }

        return roster.Apply(unitId, status);
    }

    private async Task<InputOutcome> ApplyAckAsync(string unitId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (!roster.IsKnown(unitId))
        {
            return InputOutcome.UnknownUnit;
        }

        InputOutcome outcome = UnitInput.TryReadAck(payload.Span, unitId, options.MaxInputBytes, out UnitAck? ack);
        if (outcome != InputOutcome.Accepted)
        {
            return outcome;
        }

        if (!incidents.TryGetValue(ack!.IncidentId, out Tracked? t))
        {
            return InputOutcome.UnknownIncident;
        }

        if (!string.Equals(t.UnitId, unitId, StringComparison.Ordinal))
        {
            return InputOutcome.NotDispatched;
        }

        int held = Rank(t.State);
        int next = (int)ack.Status;
        if (next == held)
        {
            return InputOutcome.Duplicate;
        }

        if (next < held)
        {
            return InputOutcome.OutOfOrder;
        }

        DateTimeOffset now = time.GetUtcNow();
        t.State = UnitInput.Wire(ack.Status);
        t.AcceptBy = null;
        RoutingLog.Acknowledged(logger, t.IncidentId, unitId, t.State);
        await outbox.EnqueueAsync(State(t, now), cancellationToken);
        return InputOutcome.Accepted;
    }

    private static int Rank(string state) => state switch
    {
        "accepted" => 1,
        "on-site" => 2,
        "resolved" => 3,
        _ => 0,
    };

    private Tracked Track(IncidentEvent incident, DateTimeOffset now)
    {
        (GridCell cell, GeoPoint position, bool exact) = Place(incident.CameraId);
        var t = new Tracked(incident, cell, position, exact, now);
        incidents[incident.IncidentId] = t;
        arrival.Enqueue(incident.IncidentId);
        while (incidents.Count > options.MaxTrackedIncidents && arrival.TryDequeue(out string? oldest))
        {
            if (incidents.Remove(oldest))
            {
                Interlocked.Increment(ref evicted);
                RoutingLog.Evicted(logger, oldest, options.MaxTrackedIncidents);
            }
        }

        return t;
    }

    private (GridCell Cell, GeoPoint Position, bool Exact) Place(string cameraId)
    {
        lock (cameras)
        {
            if (cameras.TryGetValue(cameraId, out var placed))
            {
                return placed;
            }
        }

        // A camera the router was not told about: the alert builder's grid id places it at the cell's centre.
        if (builder.TryGetCamera(cameraId, out AlertCamera camera))
        {
            GridCell cell = map.Locate(cameraId, camera.GridId, null);
            return (cell, cell.Centre, false);
        }

        throw new ArgumentException($"incident names camera '{cameraId}', which is not configured for alerts", nameof(cameraId));
    }

    private void Decide(Tracked t, DateTimeOffset now, bool escalating)
    {
        (string Id, double? Distance)? pick = Nearest(t, now, u => u.GridId == t.Cell.Id);
        string reason = "nearest-in-cell";
        if (pick is null)
        {
            var around = map.Neighbours(t.Cell.Id);
            pick = Nearest(t, now, u => around.Contains(u.GridId, StringComparer.Ordinal));
            reason = "neighbour-cell";
        }

        t.DispatchedAt = now;
        if (pick is { } p)
        {
            t.UnitId = p.Id;
            t.Distance = p.Distance;
            t.Reason = escalating ? "escalated" : reason;
            t.State = "dispatched";
            t.AcceptBy = now + options.Sla(t.Level);
            t.Tried.Add(p.Id);
            Interlocked.Increment(ref dispatchCounts[Array.IndexOf(Reasons, t.Reason)]);
            RoutingLog.Dispatched(logger, t.IncidentId, p.Id, t.Reason, p.Distance is { } d ? Math.Round(d, 1) : null, t.Level);
        }
        else
        {
            t.UnitId = null;
            t.Distance = null;
            t.Reason = "no-unit";
            t.State = "unassigned";
            t.AcceptBy = null;
            Interlocked.Increment(ref dispatchCounts[3]);
            RoutingLog.NoUnit(logger, t.IncidentId, t.Cell.Id, t.Level);
        }
    }

    private (string Id, double? Distance)? Nearest(Tracked t, DateTimeOffset now, Func<UnitDefinition, bool> where)
    {
        (string Id, double? Distance)? best = null;
        foreach (UnitDefinition unit in roster.Units)
        {
            if (!where(unit) || t.Tried.Contains(unit.Id) || !roster.IsOnDuty(unit.Id, now))
            {
                continue;
            }

            double? distance = roster.PositionOf(unit.Id) is { } at ? t.Position.DistanceMetres(at) : null;
            // Units with a known position come first by distance; ties and unknown positions go by id, so the choice is stable.
            if (best is not { } b
                || (distance is { } d && (b.Distance is not { } bd || d < bd || (d == bd && string.CompareOrdinal(unit.Id, b.Id) < 0)))
                || (distance is null && b.Distance is null && string.CompareOrdinal(unit.Id, b.Id) < 0))
            {
                best = (unit.Id, distance);
            }
        }

        return best;
    }

    private void AddStreetEscalation(Tracked t, DateTimeOffset now, IncidentSnapshot? snapshot, List<OutgoingMessage> messages)
    {
        if (t.Level < 3 || t.StreetNotified)
        {
            return;
        }

        t.StreetNotified = true;
        if (t.Cell.Street is { } street)
        {
            messages.Add(Dispatch(t, "street", null, street, "escalated", now, snapshot));
        }
        else
        {
            RoutingLog.NoStreet(logger, t.IncidentId, t.Cell.Id);
        }
    }

    private static IncidentDispatch DispatchOf(Tracked t) => new()
    {
        Reason = t.Reason,
        UnitId = t.UnitId,
        DistanceMetres = Round(t.Distance),
        Level = t.Level,
    };

    private OutgoingMessage Dispatch(Tracked t, string recipient, string? unitId, string? street, string what, DateTimeOffset now, IncidentSnapshot? snapshot)
    {
        IncidentEvent incident = t.Last;
        builder.TryGetCamera(incident.CameraId, out AlertCamera camera);
        string id = NewId(now);
        var payload = new DispatchPayload
        {
            MessageId = id,
            EdgeId = builder.EdgeId,
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
            Reason = t.Reason,
            DistanceMetres = recipient == "unit" && unitId == t.UnitId ? Round(t.Distance) : null,
            AcceptBy = what == "dispatched" && t.AcceptBy is { } by ? IncidentMessageBuilder.Iso8601(by) : null,
            At = IncidentMessageBuilder.Iso8601(now),
            Snapshot = snapshot,
        };
        string topic = recipient == "unit" ? AlertTopics.UnitAlerts(unitId!) : AlertTopics.Escalations(street!);
        return new OutgoingMessage(id, topic, JsonSerializer.SerializeToUtf8Bytes(payload, RoutingJsonContext.Default.DispatchPayload), incident.CameraId, Qos: 1, Retain: false);
    }

    private OutgoingMessage State(Tracked t, DateTimeOffset now)
    {
        string id = NewId(now);
        var payload = new IncidentStatePayload
        {
            MessageId = id,
            EdgeId = builder.EdgeId,
            IncidentId = t.IncidentId,
            Revision = ++t.Revision,
            State = t.State,
            CameraId = t.Last.CameraId,
            GridId = t.Cell.Id,
            Severity = t.Last.Severity,
            Level = t.Level,
            UnitId = t.UnitId,
            DistanceMetres = Round(t.Distance),
            Reason = t.Reason,
            Escalations = t.Escalations,
            Ended = t.Ended,
            ReportedAt = IncidentMessageBuilder.Iso8601(t.ReportedAt),
            DispatchedAt = t.UnitId is null ? null : IncidentMessageBuilder.Iso8601(t.DispatchedAt),
            AcceptBy = t.AcceptBy is { } by ? IncidentMessageBuilder.Iso8601(by) : null,
            At = IncidentMessageBuilder.Iso8601(now),
        };
        return new OutgoingMessage(id, AlertTopics.IncidentState(t.IncidentId), JsonSerializer.SerializeToUtf8Bytes(payload, RoutingJsonContext.Default.IncidentStatePayload), t.Last.CameraId, Qos: 1, Retain: true);
    }

    private string NewId(DateTimeOffset now) => Guid.CreateVersion7(now).ToString("D");

    private static double? Round(double? metres) => metres is { } m ? Math.Round(m, 1) : null;

    private static string Wire(IncidentTransition transition) => transition switch
    {
        IncidentTransition.Started => "started",
        IncidentTransition.Updated => "updated",
        IncidentTransition.Ended => "ended",
        _ => throw new ArgumentOutOfRangeException(nameof(transition), transition, "unknown incident transition"),
    };

    private sealed class Tracked(IncidentEvent incident, GridCell cell, GeoPoint position, bool exact, DateTimeOffset reportedAt)
    {
        public string IncidentId { get; } = incident.IncidentId;
        public GridCell Cell { get; } = cell;
        public GeoPoint Position { get; } = position;
        public bool ExactPosition { get; } = exact;
        public DateTimeOffset ReportedAt { get; } = reportedAt;
        public IncidentEvent Last { get; set; } = incident;
        public int Level { get; set; } = Math.Clamp(incident.Severity, 1, 3);
        public string State { get; set; } = "reported";
        public string Reason { get; set; } = "no-unit";
        public string? UnitId { get; set; }
        public double? Distance { get; set; }
        public DateTimeOffset DispatchedAt { get; set; }
        public DateTimeOffset? AcceptBy { get; set; }
        public HashSet<string> Tried { get; } = new(StringComparer.Ordinal);
        public int Escalations { get; set; }
        public int Revision { get; set; }
        public bool Ended { get; set; }
        public bool StreetNotified { get; set; }
    }
}
