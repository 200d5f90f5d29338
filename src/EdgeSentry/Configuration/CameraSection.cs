using EdgeSentry.Capture;
using EdgeSentry.Rules;

namespace EdgeSentry.Configuration;

public sealed class CameraSection
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
    public Motion.DetectionPolicySection Detection { get; set; } = new();
}
