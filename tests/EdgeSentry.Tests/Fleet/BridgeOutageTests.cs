using System.Diagnostics;
using EdgeSentry.Alerts;
using EdgeSentry.Rules;
using EdgeSentry.Tests.Peers;
using Xunit.Abstractions;

namespace EdgeSentry.Tests.Fleet;

/// <summary>
/// Issue 14, acceptance 1: edge-01's real alert line (dispatcher, SQLite outbox, sender, MQTTnet connection)
/// publishes to its local broker (deploy/mosquitto/edge-bridge.conf), bridged over TLS to the centre broker
/// (deploy/mosquitto/centre.conf + centre.acl) through a <see cref="TcpRelay"/>. While incidents keep flowing the
/// relay resets the bridge's connection and refuses new ones for the issue's 60 s, then lets the bridge back.
/// </summary>
public sealed class BridgeOutageTests(ITestOutputHelper output)
{
    /// <summary>The issue's outage. It is the fault's length, not a wait for a result.</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(60);
    /// <summary>The pace of incident transitions on the edge (10 per second): the flow, not a timing assertion.</summary>
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(100);
    private const string BridgeState = "edgesentry/v1/edges/edge-01/bridge";
    private static readonly string[] Cameras = ["cam-1", "cam-2", "cam-3", "cam-4"];

    [Fact]
    public async Task BridgeCut60Seconds_IncidentsFlowing_CentreAppliesEveryTransitionOnceInOrder()
    {
        await using var brokers = FleetBrokers.Create(["edge-01"]);
        await brokers.StartCentreAsync();
        await using var relay = new TcpRelay("127.0.0.1", brokers.CentrePort);
        await brokers.StartEdgeAsync(relay.Port);
        // Hang guard only: the outage plus the bridge's longest reconnect back-off (restart_timeout 5 60) and slack.
        var cap = new CancellationTokenSource(TimeSpan.FromMinutes(5)).Token;

        var tally = new AlertTally();
        await using var consumer = await CentreConsumer.StartAsync("consumer", brokers.ConsumerOptions("centre-consumer"), "$share/centre/edgesentry/v1/alerts/#", tally, cap);
        await using var bridge = await BridgeStateReader.StartAsync(brokers, BridgeState, cap);
        await WaitForBridgeAsync(bridge, "1", brokers, cap);

        await using var edge = await EdgeAlertLine.StartAsync(
            "edge-01",
            [.. Cameras.Select(c => new AlertCamera(c, c, "grid-a1"))],
            new MqttConnectionOptions { Host = "127.0.0.1", Port = brokers.EdgePort, ClientId = "edge-01", ReconnectDelay = TimeSpan.FromMilliseconds(200) },
            cap);
        var flow = new IncidentFlow(edge);
        using var stopFlow = new CancellationTokenSource();
        Task flowing = flow.RunAsync(Pace, stopFlow.Token);

        await tally.WaitForCountAsync(20, cap);
        relay.Pause();
        int cut = relay.CutAll();
        Assert.True(cut >= 1, "the bridge had no connection through the relay to cut");
        await WaitForBridgeAsync(bridge, "0", brokers, cap);
        // Everything committed from here on was written after the centre lost the bridge.
        int producedAtCut = flow.Produced;

        await Task.Delay(Outage, cap);
        // The edge's own broker acknowledged everything: the outbox let go and the bridge queue holds the rest.
        await edge.Outbox.WaitUntilEmptyAsync(cap);
        IReadOnlyList<string> producedDuringOutage = flow.MessageIdsFrom(producedAtCut);
        var arrivedBeforeReturn = tally.Snapshot().Select(a => a.MessageId).ToHashSet(StringComparer.Ordinal);
        var back = Stopwatch.StartNew();
        relay.Resume();
        await WaitForBridgeAsync(bridge, "1", brokers, cap);
        TimeSpan reconnect = back.Elapsed;

        // The flow goes on a little after the bridge is back, then every open incident ends.
        int producedAtReturn = flow.Produced;
        await flow.WaitForProducedAsync(producedAtReturn + 20, cap);
        await stopFlow.CancelAsync();
        await flowing;
        await flow.EndOpenIncidentsAsync(cap);

        await tally.WaitForAllAsync(flow.MessageIds, cap);
        // A last transition behind everything else on the same line: duplicates resent ahead of it have arrived too.
        string marker = (await edge.DispatchAsync(EdgeAlertLine.Transition("marker", Cameras[0], 1, IncidentTransition.Started), cap)).MessageId;
        await tally.WaitForAllAsync([marker], cap);

        Assert.True(producedDuringOutage.Count > 0, "no incidents flowed during the outage");
        Assert.DoesNotContain(producedDuringOutage, arrivedBeforeReturn.Contains);
        IReadOnlyList<ReceivedAlert> arrivals = tally.Snapshot();
        IReadOnlyList<ReceivedAlert> unique = tally.Deduplicated();
        var expected = flow.MessageIds.Append(marker).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(expected.Count, unique.Count);
        Assert.All(unique, a => Assert.Contains(a.MessageId, expected));
        output.WriteLine($"bridge cut for {Outage.TotalSeconds:F0} s ({cut} connection(s) reset); produced {flow.Produced + 1} transitions of {flow.Incidents} incidents, {producedDuringOutage.Count} during the outage");
        output.WriteLine($"bridge back {reconnect.TotalSeconds:F1} s after the path returned (restart_timeout 5 60)");
        output.WriteLine($"arrivals at the centre {arrivals.Count}, after dedupe {unique.Count}, duplicates before dedupe {arrivals.Count - unique.Count}");

        // Wire order: the first arrival of each transition, per incident. Reported, not required: the mosquitto bridge
        // keeps up to 20 QoS 1 messages in flight (max_inflight_messages, default) and mosquitto documents in-order
        // delivery only for 1, so a reconnect can resend out of order. Consumers restore the order by sequence.
        var committedAt = flow.MessageIds.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i - producedAtCut, StringComparer.Ordinal);
        var arrivedAt = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < arrivals.Count; i++)
        {
            arrivedAt.TryAdd(arrivals[i].MessageId, i);
        }

        var outOfOrder = new List<string>();
        foreach (var incident in unique.Where(a => a.IncidentId != "marker").GroupBy(a => a.IncidentId))
        {
            int[] sequences = [.. incident.Select(a => a.Sequence)];
            if (!sequences.SequenceEqual(Enumerable.Range(1, sequences.Length)))
            {
                var bySequence = incident.OrderBy(a => a.Sequence).ToList();
                outOfOrder.Add($"{incident.Key}: sequences arrived {string.Join(",", sequences)}; committed at cut{string.Join(",", bySequence.Select(a => committedAt[a.MessageId].ToString("+0;-0;0", System.Globalization.CultureInfo.InvariantCulture)))}, first arrival #{string.Join(",", bySequence.Select(a => arrivedAt[a.MessageId]))}");
            }
        }

        output.WriteLine($"incidents whose transitions arrived out of sequence order (before the consumer's reordering): {outOfOrder.Count}");
        foreach (string line in outOfOrder.Take(10))
        {
            output.WriteLine("  " + line);
        }

        // What a consumer applies with the documented rule: every incident complete, in sequence order, nothing stale.
        var sequencer = new IncidentSequencer();
        foreach (ReceivedAlert alert in unique.Where(a => a.IncidentId != "marker"))
        {
            sequencer.Accept(alert);
        }

        output.WriteLine($"consumer rule: {sequencer.HeldEarly} held early, {sequencer.DroppedStale} dropped as stale, {sequencer.StillHeld} never released");
        Assert.Equal(0, sequencer.DroppedStale);
        Assert.Equal(0, sequencer.StillHeld);
        Assert.Equal(flow.Incidents, sequencer.Applied.Count);
        Assert.All(sequencer.Applied, incident => Assert.Equal(Enumerable.Range(1, flow.Transitions(incident.Key)), incident.Value));
    }

    /// <summary>The bridge's retained notification on the centre: "1" connected, "0" (its will) lost.</summary>
    private static async Task WaitForBridgeAsync(BridgeStateReader bridge, string state, FleetBrokers brokers, CancellationToken cancellationToken)
    {
        try
        {
            while (System.Text.Encoding.UTF8.GetString((await bridge.Connection.Messages.ReadAsync(cancellationToken)).Payload.Span) != state)
            {
                // An older state (a stale retained will, or the state before this change): keep waiting.
            }
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"the bridge never reported '{state}' at the centre:\n{brokers.Log}");
        }
    }

    /// <summary>A plain reader of one topic at the centre, on the consumers' account.</summary>
    private sealed class BridgeStateReader(MqttConnection connection) : IAsyncDisposable
    {
        public MqttConnection Connection => connection;

        public static async Task<BridgeStateReader> StartAsync(FleetBrokers brokers, string topic, CancellationToken cancellationToken)
        {
            var connection = new MqttConnection(brokers.ConsumerOptions("bridge-watch") with { CleanStart = true, SessionExpiry = TimeSpan.Zero });
            await connection.ConnectAsync(cancellationToken);
            await connection.SubscribeAsync(topic, 1, cancellationToken);
            return new BridgeStateReader(connection);
        }

        public ValueTask DisposeAsync() => connection.DisposeAsync();
    }

    /// <summary>
    /// Incidents on four cameras, one transition per tick in turn: each incident is started, updated three times
    /// and ended (five transitions), then the camera's next incident starts.
    /// </summary>
    private sealed class IncidentFlow(EdgeAlertLine edge)
    {
        private const int UpdatesPerIncident = 3;
        private readonly Lock _gate = new();
        private readonly List<string> _messageIds = [];
        private readonly Dictionary<string, int> _transitions = new(StringComparer.Ordinal);
        private readonly (string Incident, int Sequence)?[] _open = new (string, int)?[Cameras.Length];
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _incidents;
        private int _tick;

        public int Produced
        {
            get
            {
                lock (_gate)
                {
                    return _messageIds.Count;
                }
            }
        }

        public int Incidents => _incidents;

        public IReadOnlyCollection<string> MessageIds
        {
            get
            {
                lock (_gate)
                {
                    return [.. _messageIds];
                }
            }
        }

        public IReadOnlyList<string> MessageIdsFrom(int index)
        {
            lock (_gate)
            {
                return _messageIds[index..];
            }
        }

        /// <summary>Completes once <paramref name="count"/> transitions have been committed.</summary>
        public async Task WaitForProducedAsync(int count, CancellationToken cancellationToken)
        {
            while (true)
            {
                TaskCompletionSource changed;
                lock (_gate)
                {
                    if (_messageIds.Count >= count)
                    {
                        return;
                    }

                    changed = _changed;
                }

                await changed.Task.WaitAsync(cancellationToken);
            }
        }

        public int Transitions(string incidentId)
        {
            lock (_gate)
            {
                return _transitions[incidentId];
            }
        }

        public async Task RunAsync(TimeSpan pace, CancellationToken stop)
        {
            using var timer = new PeriodicTimer(pace);
            try
            {
                while (await timer.WaitForNextTickAsync(stop))
                {
                    // Not cancelled half-way: a transition is either committed and counted or not made at all.
                    await StepAsync(_tick++ % Cameras.Length, end: false, CancellationToken.None);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The flow stops between transitions.
            }
        }

        public async Task EndOpenIncidentsAsync(CancellationToken cancellationToken)
        {
            for (int camera = 0; camera < Cameras.Length; camera++)
            {
                if (_open[camera] is not null)
                {
                    await StepAsync(camera, end: true, cancellationToken);
                }
            }
        }

        private async Task StepAsync(int camera, bool end, CancellationToken cancellationToken)
        {
            (string incident, int sequence) = _open[camera] is { } open
                ? (open.Incident, open.Sequence + 1)
                : ($"edge-01-{Cameras[camera]}-{Interlocked.Increment(ref _incidents)}", 1);
            IncidentTransition transition = sequence == 1 ? IncidentTransition.Started
                : end || sequence > UpdatesPerIncident + 1 ? IncidentTransition.Ended
                : IncidentTransition.Updated;
            OutgoingMessage sent = await edge.DispatchAsync(EdgeAlertLine.Transition(incident, Cameras[camera], sequence, transition), cancellationToken);
            _open[camera] = transition == IncidentTransition.Ended ? null : (incident, sequence);
            TaskCompletionSource changed;
            lock (_gate)
            {
                _messageIds.Add(sent.MessageId);
                _transitions[incident] = sequence;
                changed = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            changed.TrySetResult();
        }
    }
}
