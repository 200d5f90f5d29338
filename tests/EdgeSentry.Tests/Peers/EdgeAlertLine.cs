using EdgeSentry.Alerts;
using EdgeSentry.Detection;
using EdgeSentry.Pipeline;
using EdgeSentry.Rules;

namespace EdgeSentry.Tests.Peers;

/// <summary>
/// One edge's real alert line without video: <see cref="IncidentDispatcher"/> into its own SQLite
/// <see cref="AlertOutbox"/> (a temporary directory), forwarded by the <see cref="AlertPublisher"/>'s sender over
/// its MQTT connection. Incident transitions go in through <see cref="DispatchAsync"/> exactly as the rules
/// hand them over in the service.
/// </summary>
public sealed class EdgeAlertLine : IAsyncDisposable
{
    private readonly string _directory;
    private readonly AlertPublisher _publisher;
    private readonly IncidentDispatcher _dispatcher;
    private readonly CancellationTokenSource _run = new();
    private readonly Task _sending;

    private EdgeAlertLine(string edgeId, string directory, AlertOutbox outbox, AlertPublisher publisher, IncidentDispatcher dispatcher)
    {
        EdgeId = edgeId;
        _directory = directory;
        Outbox = outbox;
        _publisher = publisher;
        _dispatcher = dispatcher;
        _sending = publisher.RunAsync(_run.Token);
    }

    public string EdgeId { get; }
    public AlertOutbox Outbox { get; }

    /// <summary>Starts the line and returns once its connection is up (alerts would wait in the outbox otherwise).</summary>
    public static async Task<EdgeAlertLine> StartAsync(string edgeId, IReadOnlyList<AlertCamera> cameras, MqttConnectionOptions mqtt, CancellationToken cancellationToken)
    {
        string directory = Directory.CreateTempSubdirectory("edgesentry-fleet-edge-").FullName;
        var builder = new IncidentMessageBuilder(edgeId, cameras);
        AlertOutbox outbox = AlertOutbox.Open(new OutboxOptions { DatabasePath = Path.Combine(directory, "outbox.db") });
        var publisher = new AlertPublisher(mqtt, builder, outbox);
        try
        {
            await publisher.StartAsync(cancellationToken);
            await publisher.Connection.WhenConnectedAsync(cancellationToken);
        }
        catch
        {
            await publisher.DisposeAsync();
            await outbox.DisposeAsync();
            Directory.Delete(directory, recursive: true);
            throw;
        }

        return new EdgeAlertLine(edgeId, directory, outbox, publisher, new IncidentDispatcher(builder, outbox));
    }

    /// <summary>Commits one transition to the outbox (durable when this returns) and returns its message.</summary>
    public async Task<OutgoingMessage> DispatchAsync(IncidentEvent incident, CancellationToken cancellationToken) =>
        (await _dispatcher.DispatchAsync(incident, null, cancellationToken)).Single();

    /// <summary>A transition of a loitering incident on <paramref name="cameraId"/>, as the rule engine emits it.</summary>
    public static IncidentEvent Transition(string incidentId, string cameraId, int sequence, IncidentTransition transition)
    {
        DateTimeOffset at = TimeProvider.System.GetUtcNow();
        return new IncidentEvent
        {
            IncidentId = incidentId,
            Sequence = sequence,
            Transition = transition,
            Kind = "loitering",
            RuleId = "fleet-loiter",
            CameraId = cameraId,
            ZoneId = "zone-1",
            Severity = 2,
            ClassId = 0,
            Label = "person",
            Score = 0.8f,
            Box = new BoundingBox(10f, 20f, 60f, 140f),
            TrackId = sequence,
            StartedPtsSeconds = 0,
            PtsSeconds = sequence,
            StartedAt = at,
            At = at,
            FrameWidth = 1280,
            FrameHeight = 720,
            DurationSeconds = transition == IncidentTransition.Ended ? sequence : null,
            PeakObjectCount = transition == IncidentTransition.Ended ? 1 : null,
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _run.CancelAsync();
        await _sending.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _publisher.DisposeAsync();
        await Outbox.DisposeAsync();
        _run.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
