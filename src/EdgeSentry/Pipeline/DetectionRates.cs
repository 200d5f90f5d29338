namespace EdgeSentry.Pipeline;

/// <summary>
/// Detector runs per second per camera between two stats samples (a camera's "detections per camera-second"),
/// from the lanes' running counts. Used by the one stats loop only.
/// </summary>
public sealed class DetectionRates
{
    private readonly TimeProvider _time;
    private readonly Dictionary<string, long> _lastProcessed = new(StringComparer.Ordinal);
    private long _lastTimestamp;

    public DetectionRates(TimeProvider timeProvider)
    {
        _time = timeProvider;
        _lastTimestamp = timeProvider.GetTimestamp();
    }

    /// <summary>Starts a sample: the seconds since the previous one.</summary>
    public double Begin()
    {
        long now = _time.GetTimestamp();
        double seconds = _time.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
        _lastTimestamp = now;
        return seconds;
    }

    /// <summary>Detections per second of <paramref name="cameraId"/> over <paramref name="seconds"/>, given its running count.</summary>
    public double PerSecond(string cameraId, long processed, double seconds)
    {
        _lastProcessed.TryGetValue(cameraId, out long before);
        _lastProcessed[cameraId] = processed;
        return seconds <= 0 ? 0 : Math.Round(Math.Max(0, processed - before) / seconds, 2);
    }
}
