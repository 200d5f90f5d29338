using EdgeSentry.Capture;
using EdgeSentry.Pipeline;

namespace EdgeSentry.Diagnostics;

/// <summary>
/// Reports the edge node's parts into <see cref="EdgeHealth"/>: start-up, the detector, the broker connection
/// and every camera. It reads state the node already keeps, so it costs nothing between calls; the health
/// loop and /readyz call <see cref="Refresh"/>.
/// </summary>
public sealed class EdgeNodeHealthProbe
{
    public const string CameraPrefix = "camera/";

    private readonly EdgeNode _node;
    private readonly EdgeHealth _health;
    private readonly string _broker;

    public EdgeNodeHealthProbe(EdgeNode node, EdgeHealth health, string brokerEndpoint)
    {
        _node = node;
        _health = health;
        _broker = brokerEndpoint;
    }

    public EdgeHealth Health => _health;

    public EdgeNode Node => _node;

    /// <summary>Re-reads every part and returns what readiness needs to know.</summary>
    public Readiness Refresh()
    {
        var started = _node.Started;
        bool detectorLoaded = _node.Scheduler is not null && !started.IsFaulted;
        if (started.IsFaulted)
        {
            _health.Report("startup", HealthStatus.Failing, "start-up failed: " + UrlRedactor.Redact(started.Exception!.GetBaseException().Message));
        }
        else
        {
            _health.Report("startup", started.IsCompleted ? HealthStatus.Ok : HealthStatus.Degraded, "starting");
        }

        // Without a detector no frame is analysed: the edge is not doing its job.
        _health.Report("detector", detectorLoaded ? HealthStatus.Ok : started.IsCompleted ? HealthStatus.Failing : HealthStatus.Degraded, started.IsCompleted ? "detector not loaded" : "loading the model");

        // Broker away: alerts wait in the durable outbox, so the edge still works, degraded.
        bool brokerConnected = _node.Publisher?.Connection.IsConnected ?? false;
        _health.Report("broker", brokerConnected ? HealthStatus.Ok : HealthStatus.Degraded, $"not connected to {_broker} (alerts wait in the outbox)");

        // Outbox writes failing (disk full, I/O error, locked): transitions wait in memory and are retried.
        string? storageFault = _node.Outbox?.StorageFault;
        _health.Report("outbox", storageFault is null ? HealthStatus.Ok : HealthStatus.Degraded, storageFault);
        // At its bound (maxMessages or maxBytes) the outbox drops its oldest messages: counted, logged and degraded.
        string? capacityFault = _node.Outbox?.CapacityFault;
        _health.Report("outbox-capacity", capacityFault is null ? HealthStatus.Ok : HealthStatus.Degraded, capacityFault);

        // A loop waiting to be restarted, or a detector worker recovering from a hung call.
        var (supervision, problems) = _node.Supervisor.Health;
        _health.Report("supervisor", supervision, string.Join("; ", problems));

        var cameras = _node.Cameras;
        var states = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cam in cameras)
        {
            string component = CameraPrefix + cam.Options.Id;
            present.Add(component);
            var state = cam.Source.State;
            states[cam.Options.Id] = state.ToWire();
            // A file camera that played to its end did what it was configured to do.
            _health.Report(component, state is CameraState.Online or CameraState.Ended ? HealthStatus.Ok : HealthStatus.Degraded, Describe(state, cam.Source.LastError));
        }

        _health.RemoveOthers(CameraPrefix, present);
        bool anyCameraOnline = cameras.Count == 0 || cameras.Any(c => c.Source.State == CameraState.Online);
        return new Readiness(detectorLoaded && brokerConnected && anyCameraOnline && started.IsCompletedSuccessfully, brokerConnected, detectorLoaded, states, _health.Current);
    }

    private static string Describe(CameraState state, string? lastError) =>
        lastError is null || state == CameraState.Starting ? state.ToWire() : state.ToWire() + ": " + UrlRedactor.Redact(lastError);
}
