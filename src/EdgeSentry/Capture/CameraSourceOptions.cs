using EdgeSentry.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Capture;

public sealed record CameraSourceOptions
{
    public required string CameraId { get; init; }
    public required CameraInput Input { get; init; }
    /// <summary>Pre-shrink wider sources to this width (keeping the aspect ratio); null keeps the source size.</summary>
    public int? MaxDecodeWidth { get; init; }
    /// <summary>Never pre-shrink below this on the longer side (about twice the model input).</summary>
    public int MinDecodeLongSide { get; init; } = 832;
    /// <summary>Detection-rate limit: frames per second handed on (ffmpeg fps filter); null = all.</summary>
    public double? MaxFps { get; init; }
    /// <summary>No frame for this long: the decoder is killed and restarted.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan BackoffInitial { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(2);
    public int FramePoolSize { get; init; } = 4;
    /// <summary>
    /// Called on the reader thread with every decoded frame, before it enters the slot (the motion measure):
    /// it may read the pixels but must not keep the frame, and it delays this camera's next read only.
    /// </summary>
    public Action<Frame>? FrameInspector { get; init; }
}
