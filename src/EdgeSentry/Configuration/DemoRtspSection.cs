using EdgeSentry.Capture;
using EdgeSentry.Rules;

namespace EdgeSentry.Configuration;

public sealed class DemoRtspSection
{
    public int Port { get; set; } = 8554;
    /// <summary>Mount name → clip file, served in loop mode as rtsp://127.0.0.1:port/name.</summary>
    public Dictionary<string, string> Clips { get; set; } = [];
}
