using EdgeSentry.Alerts;
using EdgeSentry.Configuration;
using EdgeSentry.Detection;

namespace EdgeSentry.Cli;

/// <summary>Turns the validated configuration into the settings each part takes.</summary>
internal static class ServiceComposition
{
    /// <summary>Loads and validates everything, including the model manifest and labels that rules refer to.</summary>
    public static EdgeSentryOptions LoadConfiguration(string? path) => ConfigLoader.Load(path, LabelsFor);

    public static IReadOnlyList<string>? LabelsFor(EdgeSentryOptions o, List<string> errors)
    {
        try
        {
            var manifest = ModelManifest.Resolve(o.Detector.Model);
            return LabelTable.Load(manifest.LabelsPath(o.Detector.Model), manifest.Classes, Path.GetFileName(o.Detector.Model));
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or IOException or InvalidOperationException or ArgumentException)
        {
            errors.Add($"$.detector.model: {e.Message}");
            return null;
        }
    }

    public static Detection.DetectorOptions Detector(DetectionOptions d) => new()
    {
        IntraOpThreads = d.IntraOpThreads,
        ScoreThreshold = d.ScoreThreshold ?? 0.3f,
        ExecutionProvider = d.ExecutionProvider,
        ProviderOptions = d.ProviderOptions,
    };

    public static MqttConnectionOptions Mqtt(EdgeSentryOptions o) => new()
    {
        Host = o.Mqtt.Host,
        Port = o.Mqtt.Port,
        ClientId = o.Mqtt.ClientId ?? "edgesentry-" + o.EdgeId,
        KeepAlive = TimeSpan.FromSeconds(o.Mqtt.KeepAliveSeconds),
        ConnectTimeout = TimeSpan.FromSeconds(o.Mqtt.ConnectTimeoutSeconds),
        Username = o.Mqtt.Username,
        Password = o.Mqtt.PasswordEnvironmentVariable is { } env ? Environment.GetEnvironmentVariable(env) : o.Mqtt.Password,
        Tls = o.Mqtt.Tls is { } t ? new Alerts.MqttTlsOptions { CaFile = t.CaFile, CertFile = t.CertFile, KeyFile = t.KeyFile } : null,
    };
}
