using Microsoft.Extensions.Logging;

namespace EdgeSentry.Rules;

/// <summary>
/// Stream time as the rules see it: the frame's pts, shifted forward if the source restarted and its
/// pts jumped back, so that dwell and hold arithmetic never runs backwards.
/// </summary>
internal sealed class StreamClock
{
    private readonly string _cameraId;
    private double _ptsOffset;
    private double _lastPts = double.NaN;

    public StreamClock(string cameraId) => _cameraId = cameraId;

    /// <summary>The latest forward step between frames, seconds (the frame interval, roughly).</summary>
    public double Step { get; private set; } = 0.04;

    public ILogger Logger { get; set; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public double ToStreamTime(double pts)
    {
        if (!double.IsFinite(pts))
        {
            throw new ArgumentOutOfRangeException(nameof(pts), pts, "the frame timestamp must be a finite number of seconds");
        }

        double t = pts + _ptsOffset;
        if (!double.IsNaN(_lastPts))
        {
            if (t < _lastPts)
            {
                RulesLog.PtsWentBack(Logger, _cameraId, _lastPts - _ptsOffset, pts);
                _ptsOffset += _lastPts - t + Step;
                t = pts + _ptsOffset;
            }
            else if (t > _lastPts)
            {
                Step = t - _lastPts;
            }
        }

        _lastPts = t;
        return t;
    }
}
