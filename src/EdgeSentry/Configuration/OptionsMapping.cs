using EdgeSentry.Alerts;
using EdgeSentry.Capture;
using EdgeSentry.Detection;
using EdgeSentry.Routing;

namespace EdgeSentry.Configuration;

/// <summary>
/// The one mapping from the validated configuration (<c>*Section</c>, <see cref="CameraSection"/>) to the
/// options each domain object takes. Pure: reads nothing but its argument (and the environment variable
/// the configuration names for the broker password).
/// </summary>
public static class OptionsMapping
{
    public static DetectorOptions Detector(DetectorSection d) => new()
    {
        IntraOpThreads = d.IntraOpThreads,
        ScoreThreshold = d.ScoreThreshold ?? 0.3f,
        ExecutionProvider = d.ExecutionProvider,
        ProviderOptions = d.ProviderOptions,
    };

    public static MqttConnectionOptions Mqtt(EdgeSentrySection o) => new()
    {
        Host = o.Mqtt.Host,
        Port = o.Mqtt.Port,
        ClientId = o.Mqtt.ClientId ?? "edgesentry-" + o.EdgeId,
        KeepAlive = TimeSpan.FromSeconds(o.Mqtt.KeepAliveSeconds),
        ConnectTimeout = TimeSpan.FromSeconds(o.Mqtt.ConnectTimeoutSeconds),
        Username = o.Mqtt.Username,
        Password = o.Mqtt.PasswordEnvironmentVariable is { } env ? Environment.GetEnvironmentVariable(env) : o.Mqtt.Password,
        Tls = o.Mqtt.Tls is { } t ? new MqttTlsOptions { CaFile = t.CaFile, CertFile = t.CertFile, KeyFile = t.KeyFile } : null,
    };

    public static OutboxOptions Outbox(OutboxSection outbox) => new()
    {
        DatabasePath = outbox.Path,
        MaxMessages = outbox.MaxMessages,
        MaxBytes = outbox.MaxBytes,
        MaxAge = TimeSpan.FromHours(outbox.MaxAgeHours),
        SurvivePowerLoss = outbox.SurvivePowerLoss,
    };

    public static RoutingOptions Routing(RoutingSection routing) => new()
    {
        StatusStaleAfter = TimeSpan.FromSeconds(routing.StatusStaleAfterSeconds),
        MaxInputBytes = routing.MaxInputBytes,
        AcceptSlaSeconds = routing.AcceptSlaSeconds,
        MaxTrackedIncidents = routing.MaxTrackedIncidents,
        StateExpiry = TimeSpan.FromSeconds(routing.StateExpirySeconds),
        MaxClockSkew = TimeSpan.FromSeconds(routing.MaxClockSkewSeconds),
        UnitMessagesPerSecond = routing.UnitMessagesPerSecond,
        UnitBurst = routing.UnitBurst,
    };

    public static CameraSourceOptions CameraSource(CameraSection c) => new()
    {
        CameraId = c.Id,
        Input = new CameraInput
        {
            Location = c.Url,
            Transport = c.Transport,
            Loop = c.Loop,
            Realtime = c.Realtime,
            ExtraInputArguments = c.DecoderInputArguments,
        },
        MaxDecodeWidth = c.MaxDecodeWidth,
        MaxFps = c.MaxFps,
        StallTimeout = TimeSpan.FromSeconds(c.StallSeconds),
        BackoffMax = TimeSpan.FromSeconds(c.ReconnectMaxSeconds),
        BackoffInitial = TimeSpan.FromSeconds(Math.Min(0.5, c.ReconnectMaxSeconds)),
    };
}
