using EdgeSentry.Capture;
using EdgeSentry.Diagnostics;
using EdgeSentry.Rules;

namespace EdgeSentry.Motion;

/// <summary>
/// One camera's detection policy. <see cref="Observe"/> runs on the camera's reader thread for every
/// decoded frame (the motion measure, before the frame enters the slot); <see cref="ShouldDetect"/> and
/// <see cref="Detected"/> run on the detection worker that took the camera's frame out of the slot (at most
/// one per camera at a time, so they never overlap). A frame the policy passes over is counted here,
/// apart from the frames the slot drops for lack of detector time.
/// </summary>
public sealed class DetectionGate
{
    private readonly DetectionPolicySection _options;
    private readonly DetectionPolicyKind _kind;
    private readonly MotionDetector? _motion;
    private readonly Func<int>? _liveTracks;
    private readonly EdgeSentryMetrics? _metrics;
    private readonly KeyValuePair<string, object?> _cameraTag;
    // Written by the reader thread, read by workers: stream time up to which frames count as "in motion".
    private double _motionUntilPts = double.NegativeInfinity;
    private double _lastMotion;
    private long _observed;
    private long _withMotion;
    private long _skipped;
    private long _detected;
    // Worker side only.
    private bool _detectedOnce;
    private double _lastDetectedPts;
    private long _lastDetectedSequence;
    private int _lastLiveTracks;

    /// <param name="options">The camera's "detection" block.</param>
    /// <param name="masks">The camera's analytics masks: motion under them is ignored.</param>
    /// <param name="liveTracks">The camera's live (confirmed or briefly lost) track count, read after each detected frame.</param>
    /// <param name="metrics">Counts measured frames and frames with motion, labelled with <paramref name="cameraId"/>.</param>
    /// <param name="cameraId">The camera's id, the <c>camera</c> label of its metrics.</param>
    public DetectionGate(DetectionPolicySection options, IReadOnlyList<ZoneDefinition>? masks = null, Func<int>? liveTracks = null, EdgeSentryMetrics? metrics = null, string? cameraId = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _metrics = metrics;
        _cameraTag = new KeyValuePair<string, object?>("camera", cameraId);
        _options = options;
        _kind = options.Kind;
        _liveTracks = liveTracks;
        if (_kind == DetectionPolicyKind.Motion)
        {
            _motion = new MotionDetector(options.Motion(), masks);
        }
    }

    public DetectionPolicyKind Kind => _kind;

    /// <summary>Frames measured for motion.</summary>
    public long FramesObserved => Interlocked.Read(ref _observed);

    /// <summary>Frames whose motion reached the threshold.</summary>
    public long FramesWithMotion => Interlocked.Read(ref _withMotion);

    /// <summary>Frames taken out of the slot and passed over by the policy (not detected).</summary>
    public long FramesSkipped => Interlocked.Read(ref _skipped);

    /// <summary>Frames the policy sent to the detector.</summary>
    public long FramesDetected => Interlocked.Read(ref _detected);

    /// <summary>Changed share of the last measured frame (0-1).</summary>
    public double LastMotion => Volatile.Read(ref _lastMotion);

    /// <summary>Share of measured frames that had motion (0-1), or 0 when motion is not measured.</summary>
    public double MotionFraction => FramesObserved == 0 ? 0 : (double)FramesWithMotion / FramesObserved;

    /// <summary>Reader thread, every decoded frame before it enters the slot: measures motion (motion policy only).</summary>
    public void Observe(Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (_motion is null)
        {
            return;
        }

        Observe(frame.Image, frame.PtsSeconds);
    }

    /// <summary>As <see cref="Observe(Frame)"/>, for a borrowed image (replays and tests).</summary>
    public void Observe(BgrImage image, double ptsSeconds)
    {
        if (_motion is null)
        {
            return;
        }

        double share = _motion.Measure(image, ptsSeconds);
        Volatile.Write(ref _lastMotion, share);
        Interlocked.Increment(ref _observed);
        _metrics?.FramesMeasured.Add(1, _cameraTag);
        if (share >= _options.MotionThreshold)
        {
            Interlocked.Increment(ref _withMotion);
            _metrics?.FramesWithMotion.Add(1, _cameraTag);
            Volatile.Write(ref _motionUntilPts, ptsSeconds + _options.MotionHoldSeconds);
        }
    }

    /// <summary>Worker, as a frame leaves the slot: true to detect it, false to pass over it (counted; the caller disposes it).</summary>
    public bool ShouldDetect(Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return ShouldDetect(frame.PtsSeconds, frame.Sequence);
    }

    /// <summary>As <see cref="ShouldDetect(Frame)"/>, by the frame's stream time and sequence number.</summary>
    public bool ShouldDetect(double ptsSeconds, long sequence)
    {
        bool detect = !_detectedOnce || _kind switch
        {
            DetectionPolicyKind.Motion =>
                ptsSeconds <= Volatile.Read(ref _motionUntilPts)
                || _lastLiveTracks > 0
                || ptsSeconds - _lastDetectedPts >= _options.KeepAliveSeconds,
            DetectionPolicyKind.Interval => sequence - _lastDetectedSequence >= _options.IntervalFrames,
            _ => true,
        };
        if (!detect)
        {
            Interlocked.Increment(ref _skipped);
        }

        return detect;
    }

    /// <summary>Worker, after the frame was detected and analysed (the tracker has seen it).</summary>
    public void Detected(double ptsSeconds, long sequence)
    {
        _detectedOnce = true;
        _lastDetectedPts = ptsSeconds;
        _lastDetectedSequence = sequence;
        _lastLiveTracks = _liveTracks?.Invoke() ?? 0;
        Interlocked.Increment(ref _detected);
    }
}
