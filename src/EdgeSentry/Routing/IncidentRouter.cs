using System.Diagnostics.Metrics;
using EdgeSentry.Alerts;
using EdgeSentry.Rules;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Routing;

/// <summary>
/// Closes the loop between incidents and grid workers: routes every started incident to the nearest on-duty unit
/// (<see cref="UnitSelector"/>), follows acknowledgements, and when a unit does not accept within the level's SLA
/// hands the incident to the next nearest unit one level higher (<see cref="LoopIncident"/> holds the state machine,
/// <see cref="DispatchMessages"/> the payloads, <see cref="UnitInput"/> reads what units send).
/// <para>Every message it produces and the loop state it describes are committed to the outbox database in one
/// transaction before the call returns, so after a clean stop or a SIGKILL the loop resumes from the database:
/// deadlines that passed while the process was down fire once at start, late acks are applied, and incidents the
/// rules had open are ended with reason edge-restarted. The acceptance clock starts at the broker's PUBACK of the
/// unit's dispatch and runs on the monotonic clock. One gate serialises incidents, unit input, deliveries and SLA
/// expiry, so a state and the messages describing it are stored in the order they happened.</para>
/// </summary>
public sealed class IncidentRouter : IDisposable
{
    public const string MeterName = "EdgeSentry.Routing";

    private readonly GridMap _map;
    private readonly UnitRoster _roster;
    private readonly UnitSelector _selector;
    private readonly RoutingOptions _options;
    private readonly IncidentMessageBuilder _builder;
    private readonly DispatchMessages _messages;
    private readonly AlertOutbox _outbox;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, (GridCell Cell, GeoPoint Position, bool Exact)> _cameras = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LoopIncident> _incidents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LoopIncident> _awaitingDelivery = new(StringComparer.Ordinal);
    private readonly Queue<string> _arrival = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly long[] _statusCounts = new long[Enum.GetValues<InputOutcome>().Length];
    private readonly long[] _ackCounts = new long[Enum.GetValues<InputOutcome>().Length];
    private readonly long[] _dispatchCounts = new long[Enum.GetValues<DispatchReason>().Length];
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly UnitRateLimiter _rateLimiter;
    private UnitSubscriptions? _subscriptions;
    private bool _resumed;
    private long _evicted;
    private long _escalations;
    private long _endedAtStart;

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
        _map = map;
        _roster = roster;
        _selector = new UnitSelector(map, roster);
        _options = options;
        _builder = builder ?? throw new ArgumentNullException(nameof(builder));
        _messages = new DispatchMessages(builder, options.StateExpiry);
        _outbox = outbox ?? throw new ArgumentNullException(nameof(outbox));
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _rateLimiter = new UnitRateLimiter(options.UnitMessagesPerSecond, options.UnitBurst, _time);
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

        _outbox.Delivered += OnDelivered;
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableCounter("edgesentry.routing.unit_input", UnitInputMeasurements, description: "Unit statuses and acks by outcome (accepted, malformed, not-dispatched, ...)");
        _meter.CreateObservableCounter("edgesentry.routing.dispatches", DispatchMeasurements, description: "Routing decisions by reason");
        _meter.CreateObservableCounter("edgesentry.routing.escalations", () => Interlocked.Read(ref _escalations), description: "Incidents re-dispatched because the SLA expired");
        _meter.CreateObservableCounter("edgesentry.routing.evicted", () => Interlocked.Read(ref _evicted), description: "Incidents forgotten beyond maxTrackedIncidents");
    }

    public UnitRoster Roster => _roster;

    /// <summary>
    /// Raised after every stored change of an incident's loop (dispatched, delivered to the unit — its clock started —,
    /// acknowledged, escalated, unassigned, ended), with its state once committed, in the order stored. Raised under
    /// the router's gate: handlers must be quick and must not throw (the operator page's feed takes it).
    /// </summary>
    public event Action<DispatchView>? LoopChanged;

    public long Evicted => Interlocked.Read(ref _evicted);

    /// <summary>Incidents escalated because their SLA passed (this process).</summary>
    public long Escalations => Interlocked.Read(ref _escalations);

    /// <summary>Incidents found open at start and ended with reason edge-restarted.</summary>
    public long EndedAtStart => Interlocked.Read(ref _endedAtStart);

    /// <summary>How many unit statuses ended with <paramref name="outcome"/>.</summary>
    public long StatusCount(InputOutcome outcome) => Interlocked.Read(ref _statusCounts[(int)outcome]);

    /// <summary>How many acknowledgements ended with <paramref name="outcome"/>.</summary>
    public long AckCount(InputOutcome outcome) => Interlocked.Read(ref _ackCounts[(int)outcome]);

    /// <summary>Places a camera in its cell (configuration reload adds or moves cameras). Throws naming the camera.</summary>
    public void SetCamera(RoutedCamera camera)
    {
        ArgumentNullException.ThrowIfNull(camera);
        GridCell cell = _map.Locate(camera.Id, camera.GridId, camera.Position);
        lock (_cameras)
        {
            _cameras[camera.Id] = (cell, camera.Position ?? cell.Centre, camera.Position is not null);
        }
    }

    /// <summary>Messages dropped by the per-unit rate limit.</summary>
    public long RateLimited => _rateLimiter.Dropped;

    /// <summary>
    /// The status and ack topics of the units this edge may dispatch to: units whose home cell holds one of its
    /// cameras or neighbours such a cell. Messages of other units never reach this box.
    /// </summary>
    public IReadOnlyCollection<string> ServedUnitTopics()
    {
        HashSet<string> cells;
        lock (_cameras)
        {
            cells = _cameras.Values.Select(c => c.Cell.Id).ToHashSet(StringComparer.Ordinal);
        }

        cells.UnionWith(cells.SelectMany(_map.Neighbours).ToList());
        return _roster.Units.Where(u => cells.Contains(u.GridId)).OrderBy(u => u.Id, StringComparer.Ordinal)
            .SelectMany(u => new[] { AlertTopics.UnitStatus(u.Id), AlertTopics.UnitAcks(u.Id) }).ToList();
    }

    /// <summary>Takes a camera out (configuration reload); its cell no longer counts for <see cref="ServedUnitTopics"/>.</summary>
    public void RemoveCamera(string cameraId)
    {
        lock (_cameras)
        {
            _cameras.Remove(cameraId);
        }
    }

    /// <summary>After cameras changed: subscribes to newly served units and unsubscribes from the others.</summary>
    public Task RefreshSubscriptionsAsync(CancellationToken cancellationToken = default) =>
        _subscriptions?.ApplyAsync(ServedUnitTopics(), cancellationToken) ?? Task.CompletedTask;

    public async Task<DispatchView?> FindAsync(string incidentId, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await ResumeIfNeededAsync(cancellationToken);
            return _incidents.TryGetValue(incidentId, out LoopIncident? t) ? View(t) : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Loads the loop state stored by an earlier run and settles it: incidents the rules had open are ended
    /// (edge-restarted) and clocks resume with the time they had left; deadlines already past fire at the next
    /// <see cref="ExpireDueAsync"/>, once. Runs at most once, before anything else the router does;
    /// <see cref="RunAsync"/> calls it first and checks SLAs one <see cref="RoutingOptions.SlaCheckInterval"/> after subscribing.
    /// </summary>
    public async Task<IReadOnlyList<OutgoingMessage>> ResumeAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await ResumeIfNeededAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Routes one incident transition and commits every resulting message to the outbox: a started incident is
    /// dispatched; updated and ended go to the unit that holds it, and a level raised by the rules reaches the unit
    /// and, at level 3, the street office. Returns the messages in the order stored.
    /// </summary>
    public async Task<IReadOnlyList<OutgoingMessage>> RouteAsync(IncidentEvent incident, IncidentSnapshot? snapshot = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(incident);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await ResumeIfNeededAsync(cancellationToken);
            DateTimeOffset now = _time.GetUtcNow();
            var messages = new List<OutgoingMessage>(4);
            var changed = new List<LoopIncident>(1);
            var forgotten = new List<string>();
            if (incident.Transition == IncidentTransition.Started && !_incidents.ContainsKey(incident.IncidentId))
            {
                LoopIncident t = Track(incident, now, forgotten);
                Decide(t, now, escalating: false);
                messages.Add(_builder.Build(incident, snapshot, DispatchMessages.DecisionOf(t)));
                if (t.UnitId is { } unit)
                {
                    messages.Add(SendDispatch(t, unit, now, snapshot));
                }

                AddStreetEscalation(t, now, snapshot, messages);
                messages.Add(_messages.State(t, now));
                changed.Add(t);
            }
            else if (_incidents.TryGetValue(incident.IncidentId, out LoopIncident? t))
            {
                t.Last = incident;
                bool raised = !t.Ended && t.RaiseLevel(incident.Severity);
                messages.Add(_builder.Build(incident, snapshot, DispatchMessages.DecisionOf(t)));
                if (t.UnitId is { } unit && t.State != LoopState.Resolved)
                {
                    string what = incident.Transition == IncidentTransition.Ended ? "ended" : "updated";
                    messages.Add(_messages.Dispatch(t, "unit", unit, null, what, now, snapshot));
                }

                if (raised)
                {
                    RoutingLog.LevelRaised(_logger, t.IncidentId, t.Level);
                    AddStreetEscalation(t, now, snapshot, messages);
                }

                bool ending = incident.Transition == IncidentTransition.Ended && !t.Ended;
                if (ending)
                {
                    t.Ended = true;
                    t.EndReason = EndReason.ConditionOver;
                }

                if (ending || raised)
                {
                    AddState(t, now, messages);
                }

                changed.Add(t);
            }
            else
            {
                // Forgotten (evicted) or from before a restart: the centre still gets it, without a routing decision.
                messages.Add(_builder.Build(incident, null, null));
            }

            await CommitAsync(messages, changed, forgotten, cancellationToken);
            return messages;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Escalates every dispatched incident whose unit has not accepted within its level's SLA, counted from the
    /// broker's acknowledgement of the dispatch on the monotonic clock: one level up (at most 3), to the nearest
    /// on-duty unit not tried yet. Returns the messages stored.
    /// </summary>
    public async Task<IReadOnlyList<OutgoingMessage>> ExpireDueAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await ResumeIfNeededAsync(cancellationToken);
            return await ExpireDueLockedAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Takes one message from a unit (status or acknowledgement). Untrusted: size-limited, strictly validated, only
    /// the unit an incident is dispatched to may acknowledge it. A unit coming on duty takes the unassigned
    /// incidents it can reach. Never throws for bad input; every outcome is counted.
    /// </summary>
    public async Task<InputOutcome> HandleAsync(MqttMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!UnitInput.TryParseTopic(message.Topic, out string unitId, out string kind))
        {
            return InputOutcome.IgnoredTopic;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            await ResumeIfNeededAsync(cancellationToken);
            // Known units only: the limiter's buckets stay bounded by the roster, and a flood costs no parse.
            InputOutcome outcome = _roster.IsKnown(unitId) && !_rateLimiter.TryTake(unitId) ? InputOutcome.RateLimited
                : kind == "status"
                ? await ApplyStatusAsync(unitId, message.Payload.Span.ToArray(), cancellationToken)
                : await ApplyAckAsync(unitId, message.Payload, cancellationToken);
            long count = Interlocked.Increment(ref (kind == "status" ? _statusCounts : _ackCounts)[(int)outcome]);
            // Hostile or broken senders can produce thousands a second: the first of each kind and every 1000th is
            // logged, the metrics count them all.
            if (outcome is not (InputOutcome.Accepted or InputOutcome.Duplicate or InputOutcome.Cleared) && (count == 1 || count % 1000 == 0))
            {
                RoutingLog.InputRejected(_logger, kind, _roster.IsKnown(unitId) ? unitId : "(unknown)", outcome, count);
            }

            return outcome;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Resumes the stored loop, subscribes to unit statuses and acknowledgements (now and after every reconnect), then handles what arrives
    /// and expires SLAs every <see cref="RoutingOptions.SlaCheckInterval"/> until cancelled. With
    /// <paramref name="itemFault"/>, a unit message whose handling throws is reported there and skipped; a fault of
    /// the SLA loop ends this method with that fault (the caller's supervisor restarts it).
    /// </summary>
    public async Task RunAsync(MqttConnection connection, CancellationToken cancellationToken, Action<string, Exception, string?>? itemFault = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await ResumeAsync(cancellationToken);
        // Only the units this edge may dispatch to (its cameras' cells and their neighbours), never units/+/...
        // A restart by the supervisor replaces the subscriptions of the run before.
        _subscriptions?.Dispose();
        _subscriptions = new UnitSubscriptions(connection);
        _subscriptions.Apply(ServedUnitTopics());
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
        _outbox.Delivered -= OnDelivered;
        _gate.Dispose();
        _subscriptions?.Dispose();
        if (_ownsMeter)
        {
            _meter.Dispose();
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
        foreach (DispatchReason reason in Enum.GetValues<DispatchReason>())
        {
            yield return new Measurement<long>(Interlocked.Read(ref _dispatchCounts[(int)reason]), new KeyValuePair<string, object?>("reason", LoopWire.Name(reason)));
        }
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await Task.Delay(_options.SlaCheckInterval, _time, cancellationToken);
            await ExpireDueAsync(cancellationToken);
        }
    }

    private async Task<IReadOnlyList<OutgoingMessage>> ExpireDueLockedAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        long nowTimestamp = _time.GetTimestamp();
        var messages = new List<OutgoingMessage>();
        var changed = new List<LoopIncident>();
        foreach (LoopIncident t in _incidents.Values.Where(t => t.IsDue(nowTimestamp)).ToList())
        {
            string previous = t.UnitId!;
            TimeSpan sla = t.Sla;
            t.Level = Math.Min(3, t.Level + 1);
            t.Escalations++;
            Interlocked.Increment(ref _escalations);
            RoutingLog.SlaExpired(_logger, t.IncidentId, previous, sla, t.Level);
            messages.Add(_messages.Dispatch(t, "unit", previous, null, "withdrawn", now, null));
            Decide(t, now, escalating: true);
            if (t.UnitId is { } next)
            {
                messages.Add(SendDispatch(t, next, now, null));
            }

            AddStreetEscalation(t, now, null, messages);
            AddState(t, now, messages);
            changed.Add(t);
        }

        if (changed.Count > 0)
        {
            await CommitAsync(messages, changed, [], cancellationToken);
        }

        return messages;
    }

    private async Task<IReadOnlyList<OutgoingMessage>> ResumeIfNeededAsync(CancellationToken cancellationToken)
    {
        if (_resumed)
        {
            return [];
        }

        DateTimeOffset now = _time.GetUtcNow();
        long nowMs = now.ToUnixTimeMilliseconds();
        long nowTimestamp = _time.GetTimestamp();
        List<(LoopRecord Record, long WrittenMs, bool DispatchStored)> rows = await _outbox.UseAsync(
            db => LoopStore.ReadAll(db).Select(r => (r.Record, r.WrittenMs, r.Record.AwaitingDelivery is { } id && _outbox.IsStored(db, id))).ToList(),
            cancellationToken);
        _resumed = true;
        var messages = new List<OutgoingMessage>();
        var changed = new List<LoopIncident>();
        var forgotten = new List<string>();
        foreach ((LoopRecord record, long writtenMs, bool dispatchStored) in rows)
        {
            LoopIncident? t = Restore(record, now, forgotten);
            if (t is null)
            {
                continue;
            }

            if (record.AwaitingDelivery is { } dispatchId)
            {
                if (dispatchStored)
                {
                    _awaitingDelivery[dispatchId] = t;
                }
                else
                {
                    // Delivered before the stop, but the clock's start was not stored: it starts now, so never early.
                    t.StartClock(nowTimestamp, now, t.Sla);
                    changed.Add(t);
                }
            }
            else if (record.RemainingMs is { } remainingMs)
            {
                long down = Math.Max(0, nowMs - writtenMs);
                t.StartClock(nowTimestamp, now, TimeSpan.FromMilliseconds(Math.Max(0, remainingMs - down)));
            }

            if (!t.Ended)
            {
                EndAtStart(t, now, messages);
                changed.Add(t);
            }
        }

        if (rows.Count > 0)
        {
            RoutingLog.Resumed(_logger, _incidents.Count, EndedAtStart);
        }

        if (changed.Count > 0 || forgotten.Count > 0)
        {
            await CommitAsync(messages, changed.Distinct().ToList(), forgotten, cancellationToken);
        }

        // Deadlines that passed while the process was down fire at the first SLA check, once (the escalation starts a
        // new clock): by then the units' retained statuses have arrived, so the next unit can be chosen.
        return messages;
    }

    private LoopIncident? Restore(LoopRecord record, DateTimeOffset now, List<string> forgotten)
    {
        (GridCell Cell, GeoPoint Position, bool Exact) placed;
        try
        {
            placed = Place(record.Last.CameraId);
        }
        catch (ArgumentException)
        {
            // The camera left the configuration while the process was down: nothing can be said about where it is.
            forgotten.Add(record.Last.IncidentId);
            return null;
        }

        var t = new LoopIncident(record.Last, placed.Cell, placed.Position, placed.Exact, record.ReportedAt)
        {
            TimeProviderFrequency = _time.TimestampFrequency,
            State = record.State,
            Reason = record.Reason,
            Level = record.Level,
            UnitId = record.UnitId,
            Distance = record.Distance,
            DispatchedAt = record.DispatchedAt,
            Escalations = record.Escalations,
            Revision = record.Revision,
            Ended = record.Ended,
            EndReason = record.EndReason,
            StreetNotified = record.StreetNotified,
            Sla = TimeSpan.FromMilliseconds(record.SlaMs),
            AwaitingDelivery = record.AwaitingDelivery,
        };
        t.Tried.UnionWith(record.Tried);
        _incidents[t.IncidentId] = t;
        _arrival.Enqueue(t.IncidentId);
        _ = now;
        return t;
    }

    /// <summary>
    /// The rules that followed the incident are gone with the old process: the centre gets its ended transition,
    /// the unit holding it is told, and the state says why.
    /// </summary>
    private void EndAtStart(LoopIncident t, DateTimeOffset now, List<OutgoingMessage> messages)
    {
        IncidentEvent last = t.Last;
        t.Last = last with
        {
            Sequence = last.Sequence + 1,
            Transition = IncidentTransition.Ended,
            At = now,
            DurationSeconds = Math.Max(0, (now - last.StartedAt).TotalSeconds),
            PeakObjectCount = last.PeakObjectCount ?? last.ObjectCount,
        };
        t.Ended = true;
        t.EndReason = EndReason.EdgeRestarted;
        Interlocked.Increment(ref _endedAtStart);
        RoutingLog.EndedAtStart(_logger, t.IncidentId, t.State);
        if (_builder.TryGetCamera(last.CameraId, out _))
        {
            messages.Add(_builder.Build(t.Last, null, DispatchMessages.DecisionOf(t)));
        }

        if (t.UnitId is { } unit && t.State != LoopState.Resolved)
        {
            messages.Add(_messages.Dispatch(t, "unit", unit, null, "ended", now, null));
        }

        AddState(t, now, messages);
    }

    private void OnDelivered(IReadOnlyList<string> messageIds)
    {
        // Raised on the sender's loop: the clock's start is recorded on a task of its own, never blocking the sender.
        _ = StartClocksAsync(messageIds, _time.GetTimestamp(), _time.GetUtcNow());
    }

    private async Task StartClocksAsync(IReadOnlyList<string> messageIds, long timestamp, DateTimeOffset now)
    {
        try
        {
            await _gate.WaitAsync();
            try
            {
                var changed = new List<LoopIncident>();
                foreach (string id in messageIds)
                {
                    if (_awaitingDelivery.Remove(id, out LoopIncident? t) && t.AwaitingDelivery == id && t.State == LoopState.Dispatched)
                    {
                        t.StartClock(timestamp, now, t.Sla);
                        changed.Add(t);
                    }
                }

                if (changed.Count > 0)
                {
                    await CommitAsync([], changed, [], CancellationToken.None);
                }
            }
            finally
            {
                _gate.Release();
            }
        }
        catch (ObjectDisposedException)
        {
            // Stopping: the clock did not start in this run; the next one starts it at its start.
        }
    }

    private async Task<InputOutcome> ApplyStatusAsync(string unitId, byte[] payload, CancellationToken cancellationToken)
    {
        if (!_roster.IsKnown(unitId))
        {
            return InputOutcome.UnknownUnit;
        }

        if (payload.Length == 0)
        {
            _roster.Clear(unitId);
            return InputOutcome.Cleared;
        }

        InputOutcome outcome = UnitInput.TryReadStatus(payload, unitId, _options.MaxInputBytes, out UnitStatus? status);
        if (outcome != InputOutcome.Accepted)
        {
            return outcome;
        }

        if (!UnitInput.WithinSkew(status!.At, _time.GetUtcNow(), _options.MaxClockSkew))
        {
            return InputOutcome.ClockSkew;
        }

        outcome = _roster.Apply(unitId, status);
        if (outcome == InputOutcome.Accepted && status.OnDuty)
        {
            await RetryUnassignedAsync(cancellationToken);
        }

        return outcome;
    }

    /// <summary>A unit came on duty: every open unassigned incident it (or another now on duty) can reach is dispatched.</summary>
    private async Task RetryUnassignedAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        var messages = new List<OutgoingMessage>();
        var changed = new List<LoopIncident>();
        foreach (LoopIncident t in _incidents.Values.Where(t => t.State == LoopState.Unassigned && !t.Ended).ToList())
        {
            if (_selector.Choose(t.Cell, t.Position, t.Tried, now) is null)
            {
                continue;
            }

            Decide(t, now, escalating: t.Escalations > 0);
            messages.Add(SendDispatch(t, t.UnitId!, now, null));
            AddStreetEscalation(t, now, null, messages);
            AddState(t, now, messages);
            changed.Add(t);
        }

        if (changed.Count > 0)
        {
            await CommitAsync(messages, changed, [], cancellationToken);
        }
    }

    private async Task<InputOutcome> ApplyAckAsync(string unitId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (!_roster.IsKnown(unitId))
        {
            return InputOutcome.UnknownUnit;
        }

        InputOutcome outcome = UnitInput.TryReadAck(payload.Span, unitId, _options.MaxInputBytes, out UnitAck? ack);
        if (outcome != InputOutcome.Accepted)
        {
            return outcome;
        }

        if (!UnitInput.WithinSkew(ack!.At, _time.GetUtcNow(), _options.MaxClockSkew))
        {
            return InputOutcome.ClockSkew;
        }

        if (!_incidents.TryGetValue(ack.IncidentId, out LoopIncident? t))
        {
            return InputOutcome.UnknownIncident;
        }

        if (!string.Equals(t.UnitId, unitId, StringComparison.Ordinal))
        {
            return InputOutcome.NotDispatched;
        }

        string? awaiting = t.AwaitingDelivery;
        outcome = t.Acknowledge(ack.Status);
        if (outcome != InputOutcome.Accepted)
        {
            return outcome;
        }

        if (awaiting is not null)
        {
            _awaitingDelivery.Remove(awaiting);
        }

        DateTimeOffset now = _time.GetUtcNow();
        RoutingLog.Acknowledged(_logger, t.IncidentId, unitId, t.State);
        var messages = new List<OutgoingMessage>(2);
        AddState(t, now, messages);
        await CommitAsync(messages, [t], [], cancellationToken);
        return InputOutcome.Accepted;
    }

    /// <summary>
    /// The retained state after a change. Once the loop is over (resolved by the unit, or ended with nobody holding
    /// it) the state is published one last time and then cleared with an empty retained message.
    /// </summary>
    private void AddState(LoopIncident t, DateTimeOffset now, List<OutgoingMessage> messages)
    {
        messages.Add(_messages.State(t, now));
        if (t.State == LoopState.Resolved || (t.Ended && t.State == LoopState.Unassigned))
        {
            messages.Add(_messages.ClearState(t, now));
        }
    }

    /// <summary>Commits the messages and the changed incidents' rows in one transaction; closed incidents leave the store.</summary>
    private async Task CommitAsync(IReadOnlyList<OutgoingMessage> messages, IReadOnlyList<LoopIncident> changed, IReadOnlyList<string> forgotten, CancellationToken cancellationToken)
    {
        long writtenMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long nowTimestamp = _time.GetTimestamp();
        var rows = changed.Select(t => (t.IncidentId, Record: Finished(t) ? null : ToRecord(t, nowTimestamp))).ToList();
        foreach (LoopIncident t in changed.Where(Finished))
        {
            // Kept in memory for duplicate acks until evicted; nothing left to resume after a restart.
            if (t.AwaitingDelivery is { } id)
            {
                _awaitingDelivery.Remove(id);
            }
        }

        await _outbox.EnqueueAsync(messages, (db, tx) =>
        {
            LoopStore.EnsureSchema(db);
            foreach ((string id, LoopRecord? record) in rows)
            {
                if (record is null)
                {
                    LoopStore.Delete(db, tx, id);
                }
                else
                {
                    LoopStore.Write(db, tx, record, writtenMs);
                }
            }

            foreach (string id in forgotten)
            {
                LoopStore.Delete(db, tx, id);
            }
        }, cancellationToken);
        if (LoopChanged is { } loopChanged)
        {
            foreach (LoopIncident t in changed)
            {
                loopChanged(View(t));
            }
        }
    }

    private static DispatchView View(LoopIncident t) =>
        new(t.IncidentId, t.State, t.Level, t.UnitId, t.Distance, t.Reason, t.Escalations, [.. t.Tried], t.AcceptBy, t.Ended, t.EndReason);

    /// <summary>Nothing more can happen to it: resolved and ended, or ended with no unit holding it.</summary>
    private static bool Finished(LoopIncident t) => t.Ended && t.State is LoopState.Resolved or LoopState.Unassigned;

    private static LoopRecord ToRecord(LoopIncident t, long nowTimestamp) => new()
    {
        Last = t.Last,
        ReportedAt = t.ReportedAt,
        State = t.State,
        Reason = t.Reason,
        Level = t.Level,
        UnitId = t.UnitId,
        Distance = t.Distance,
        DispatchedAt = t.DispatchedAt,
        Tried = [.. t.Tried],
        Escalations = t.Escalations,
        Revision = t.Revision,
        Ended = t.Ended,
        EndReason = t.EndReason,
        StreetNotified = t.StreetNotified,
        SlaMs = (long)t.Sla.TotalMilliseconds,
        AwaitingDelivery = t.AwaitingDelivery,
        RemainingMs = t.Remaining(nowTimestamp) is { } left ? (long)left.TotalMilliseconds : null,
    };

    private LoopIncident Track(IncidentEvent incident, DateTimeOffset now, List<string> forgotten)
    {
        (GridCell cell, GeoPoint position, bool exact) = Place(incident.CameraId);
        var t = new LoopIncident(incident, cell, position, exact, now) { TimeProviderFrequency = _time.TimestampFrequency };
        _incidents[incident.IncidentId] = t;
        _arrival.Enqueue(incident.IncidentId);
        while (_incidents.Count > _options.MaxTrackedIncidents && _arrival.TryDequeue(out string? oldest))
        {
            if (_incidents.Remove(oldest, out LoopIncident? gone))
            {
                if (gone.AwaitingDelivery is { } id)
                {
                    _awaitingDelivery.Remove(id);
                }

                forgotten.Add(oldest);
                Interlocked.Increment(ref _evicted);
                RoutingLog.Evicted(_logger, oldest, _options.MaxTrackedIncidents);
            }
        }

        return t;
    }

    private (GridCell Cell, GeoPoint Position, bool Exact) Place(string cameraId)
    {
        lock (_cameras)
        {
            if (_cameras.TryGetValue(cameraId, out var placed))
            {
                return placed;
            }
        }

        // A camera the router was not told about: the alert builder's grid id places it at the cell's centre.
        if (_builder.TryGetCamera(cameraId, out AlertCamera camera))
        {
            GridCell cell = _map.Locate(cameraId, camera.GridId, null);
            return (cell, cell.Centre, false);
        }

        throw new ArgumentException($"incident names camera '{cameraId}', which is not configured for alerts", nameof(cameraId));
    }

    private void Decide(LoopIncident t, DateTimeOffset now, bool escalating)
    {
        if (_selector.Choose(t.Cell, t.Position, t.Tried, now) is { } pick)
        {
            DispatchReason reason = escalating ? DispatchReason.Escalated : pick.Reason;
            t.DispatchTo(pick.UnitId, pick.DistanceMetres, reason, _options.Sla(t.Level), now);
            Interlocked.Increment(ref _dispatchCounts[(int)reason]);
            RoutingLog.Dispatched(_logger, t.IncidentId, pick.UnitId, reason, pick.DistanceMetres is { } d ? Math.Round(d, 1) : null, t.Level);
        }
        else
        {
            t.Unassign(now);
            Interlocked.Increment(ref _dispatchCounts[(int)DispatchReason.NoUnit]);
            RoutingLog.NoUnit(_logger, t.IncidentId, t.Cell.Id, t.Level);
        }
    }

    /// <summary>The unit's dispatch; the acceptance clock waits for the broker's acknowledgement of this message.</summary>
    private OutgoingMessage SendDispatch(LoopIncident t, string unitId, DateTimeOffset now, IncidentSnapshot? snapshot)
    {
        OutgoingMessage message = _messages.Dispatch(t, "unit", unitId, null, "dispatched", now, snapshot);
        if (t.AwaitingDelivery is { } previous)
        {
            _awaitingDelivery.Remove(previous);
        }

        t.AwaitingDelivery = message.MessageId;
        _awaitingDelivery[message.MessageId] = t;
        return message;
    }

    private void AddStreetEscalation(LoopIncident t, DateTimeOffset now, IncidentSnapshot? snapshot, List<OutgoingMessage> messages)
    {
        if (t.Level < 3 || t.StreetNotified)
        {
            return;
        }

        t.StreetNotified = true;
        if (t.Cell.Street is { } street)
        {
            messages.Add(_messages.Dispatch(t, "street", null, street, "escalated", now, snapshot));
        }
        else
        {
            RoutingLog.NoStreet(_logger, t.IncidentId, t.Cell.Id);
        }
    }
}
