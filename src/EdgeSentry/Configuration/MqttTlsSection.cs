using EdgeSentry.Capture;
using EdgeSentry.Rules;

namespace EdgeSentry.Configuration;

public sealed class MqttTlsSection
{
    public string? CaFile { get; set; }
    public string? CertFile { get; set; }
    public string? KeyFile { get; set; }
}
