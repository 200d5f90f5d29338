using EdgeSentry.Capture;
using EdgeSentry.Rules;

namespace EdgeSentry.Configuration;

/// <summary>The whole configuration file (JSON, camelCase). Validated completely by <see cref="ConfigValidator"/>.</summary>
public sealed class EdgeSentryOptions
{
    /// <summary>This box's id; it appears in MQTT topics, so letters, digits, '-' and '_' only.</summary>
    public string EdgeId { get; set; } = "edge-01";

    public BrokerOptions Mqtt { get; set; } = new();

    public DetectionOptions Detector { get; set; } = new();

    public OutboxSection Outbox { get; set; } = new();

    /// <summary>Where /healthz, /readyz and /metrics are served.</summary>
    public HttpSection Http { get; set; } = new();

    public List<CameraOptions> Cameras { get; set; } = [];

    /// <summary>Optional: real peers the service starts itself (the built-in demo).</summary>
    public DemoOptions? Demo { get; set; }

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
    public List<UnitOptions> Units { get; set; } = [];
}

/// <summary>Routing to units: the grid map, when a unit's status goes stale, input limits and acceptance SLAs.</summary>
public sealed class RoutingSection
{
    /// <summary>GeoJSON FeatureCollection of the grid cells (properties id, name, community, street).</summary>
    public string GridMap { get; set; } = string.Empty;
    /// <summary>Cells whose boundaries come this close count as neighbours too (0: only cells sharing a vertex).</summary>
    public double NeighbourDistanceMetres { get; set; }
    public double StatusStaleAfterSeconds { get; set; } = 600;
    public int MaxInputBytes { get; set; } = 4096;
    /// <summary>Seconds a unit has to accept, for levels 1, 2 and 3.</summary>
    public List<int> AcceptSlaSeconds { get; set; } = [300, 180, 60];
    public int MaxTrackedIncidents { get; set; } = 10_000;
}

public sealed class UnitOptions
{
    public string Id { get; set; } = string.Empty;
    public string? Name { get; set; }
    /// <summary>The unit's home cell: it gets the incidents of cameras in this cell first.</summary>
    public string GridId { get; set; } = string.Empty;
    /// <summary>A fixed post, used while the unit's live status carries no position.</summary>
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
}

public sealed class BrokerOptions
{
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 1883;
    /// <summary>Defaults to "edgesentry-{edgeId}".</summary>
    public string? ClientId { get; set; }
    public string? Username { get; set; }
    /// <summary>Prefer <see cref="PasswordEnvironmentVariable"/>; a password here is never logged.</summary>
    public string? Password { get; set; }
    public string? PasswordEnvironmentVariable { get; set; }
    public int KeepAliveSeconds { get; set; } = 30;
    public BrokerTlsOptions? Tls { get; set; }
    /// <summary>Seconds to wait for the broker's CONNACK at start-up.</summary>
    public double ConnectTimeoutSeconds { get; set; } = 10;
}

public sealed class BrokerTlsOptions
{
    public string? CaFile { get; set; }
    public string? CertFile { get; set; }
    public string? KeyFile { get; set; }
}

/// <summary>
/// The durable alert outbox (SQLite, WAL): every incident message is stored before it is published and
/// removed after the broker's PUBACK. When full, the oldest messages are dropped (counted and logged); a
/// message older than maxAgeHours when its turn comes is dropped unsent (counted): see contracts/README.md.
/// </summary>
public sealed class OutboxSection
{
    public string Path { get; set; } = "data/edgesentry-outbox.db";
    public int MaxMessages { get; set; } = 100_000;
    public double MaxAgeHours { get; set; } = 24;
    /// <summary>fsync every commit (survives power loss); false still survives a crash of the process.</summary>
    public bool SurvivePowerLoss { get; set; } = true;
}

public sealed class DetectionOptions
{
    /// <summary>Path of the .onnx file; its manifest in models/ says how to feed and decode it.</summary>
    public string Model { get; set; } = "${shared}/models/yolox_nano.onnx";
    /// <summary>Inference workers (one session each).</summary>
    public int Workers { get; set; } = 1;
    /// <summary>Intra-op threads per session.</summary>
    public int IntraOpThreads { get; set; } = 1;
    /// <summary>Overrides the manifest's score threshold.</summary>
    public float? ScoreThreshold { get; set; }
    /// <summary>cpu (default), cuda or tensorrt; the last two need the GPU build flavour and a GPU box (README).</summary>
    public string ExecutionProvider { get; set; } = "cpu";
    /// <summary>The provider's own options by ONNX Runtime's keys (e.g. "device_id": "0"); none for cpu.</summary>
    public Dictionary<string, string>? ProviderOptions { get; set; }
}

public sealed class CameraOptions
{
    public string Id { get; set; } = string.Empty;
    public string? Name { get; set; }
    /// <summary>rtsp://user:pass@host/path, or a local video file (looped with <see cref="Loop"/>).</summary>
    public string Url { get; set; } = string.Empty;
    public string GridId { get; set; } = "default";
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public RtspTransport Transport { get; set; } = RtspTransport.Tcp;
    /// <summary>Pre-shrink wider streams to this width in ffmpeg (never below twice the model input).</summary>
    public int? MaxDecodeWidth { get; set; } = 1280;
    /// <summary>Detection-rate limit in frames per second (null: every frame).</summary>
    public double? MaxFps { get; set; }
    /// <summary>No frame for this long: the decoder is restarted.</summary>
    public double StallSeconds { get; set; } = 10;
    /// <summary>Longest pause between reconnect attempts (exponential backoff with jitter up to this).</summary>
    public double ReconnectMaxSeconds { get; set; } = 2;
    /// <summary>Files only: loop forever (a demo camera).</summary>
    public bool Loop { get; set; }
    /// <summary>Files only: deliver at the native frame rate like a camera (default true).</summary>
    public bool Realtime { get; set; } = true;
    /// <summary>Extra ffmpeg input flags, e.g. ["-hwaccel", "vaapi"].</summary>
    public List<string> DecoderInputArguments { get; set; } = [];
    /// <summary>Zones, lines, masks and rules of this camera.</summary>
    public CameraRulesDefinition Analytics { get; set; } = new();
    /// <summary>Which frames go to the detector: every frame (default), motion-gated, or every Nth.</summary>
    public Motion.DetectionPolicyOptions Detection { get; set; } = new();
}

public sealed class DemoOptions
{
    /// <summary>Start a mosquitto on 127.0.0.1:mqtt.port unless something already listens there.</summary>
    public bool StartBroker { get; set; }
    public DemoRtspOptions? RtspServer { get; set; }
}

public sealed class DemoRtspOptions
{
    public int Port { get; set; } = 8554;
    /// <summary>Mount name → clip file, served in loop mode as rtsp://127.0.0.1:port/name.</summary>
    public Dictionary<string, string> Clips { get; set; } = [];
}
