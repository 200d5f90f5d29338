using EdgeSentry.Capture;
using EdgeSentry.Rules;

namespace EdgeSentry.Configuration;

public sealed class DemoSection
{
    /// <summary>Start a mosquitto on 127.0.0.1:mqtt.port unless something already listens there.</summary>
    public bool StartBroker { get; set; }
    public DemoRtspSection? RtspServer { get; set; }
}
