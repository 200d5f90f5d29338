using EdgeSentry.Capture;
using EdgeSentry.Rules;

namespace EdgeSentry.Configuration;

/// <summary>The whole configuration file (JSON, camelCase). Validated completely by <see cref="ConfigValidator"/>.</summary>
public sealed class EdgeSentrySection
{
    /// <summary>This box's id; it appears in MQTT topics, so letters, digits, '-' and '_' only.</summary>
    public string EdgeId { get; set; } = "edge-01";

    public MqttSection Mqtt { get; set; } = new();

    public DetectorSection Detector { get; set; } = new();

    public OutboxSection Outbox { get; set; } = new();

    /// <summary>Where /healthz, /readyz and /metrics are served.</summary>
    public HttpSection Http { get; set; } = new();

    public List<CameraSection> Cameras { get; set; } = [];

    /// <summary>Optional: real peers the service starts itself (the built-in demo).</summary>
    public DemoSection? Demo { get; set; }

    /// <summary>Seconds between stats messages on edgesentry/v1/edges/{edgeId}/stats.</summary>
    public double StatsIntervalSeconds { get; set; } = 30;

    /// <summary>
    /// Soak checks only: a full, compacting GC before each stats sample, so the heap figure is the live heap
    /// (between collections the heap only shows what was allocated since). Costs a pause per sample.
    /// </summary>
    public bool StatsMeasureLiveHeap { get; set; }

    /// <summary>Optional: route incidents to the nearest on-duty unit (needs a grid map and <see cref="Units"/>).</summary>
    public RoutingSection? Routing { get; set; }

    /// <summary>The grid workers' units incidents can be dispatched to (with <see cref="Routing"/>).</summary>
    public List<UnitSection> Units { get; set; } = [];
}
