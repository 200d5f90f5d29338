using EdgeSentry.Capture;
using EdgeSentry.Rules;

namespace EdgeSentry.Configuration;

public sealed class MqttSection
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
    public MqttTlsSection? Tls { get; set; }
    /// <summary>Seconds to wait for the broker's CONNACK at start-up.</summary>
    public double ConnectTimeoutSeconds { get; set; } = 10;
}
