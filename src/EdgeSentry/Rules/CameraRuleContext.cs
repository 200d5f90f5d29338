using System.Globalization;

namespace EdgeSentry.Rules;

/// <summary>What every rule of one camera shares: the camera id, the model's labels, the track capacity and the incident numbering.</summary>
internal sealed class CameraRuleContext
{
    private long _incidentCounter;

    public CameraRuleContext(string cameraId, IReadOnlyList<string> labels, int trackCapacity)
    {
        CameraId = cameraId;
        Labels = labels;
        TrackCapacity = trackCapacity;
    }

    public string CameraId { get; }

    /// <summary>The edge's id (set once, before the first frame); null for an engine run alone (tests, benchmarks).</summary>
    public string? EdgeId { get; set; }

    public IReadOnlyList<string> Labels { get; }

    public int TrackCapacity { get; }

    /// <summary>
    /// <c>{edgeId}:{cameraId}-{ruleId}-{start}-{n}</c>: the wall-clock start plus a counter shared by all the camera's
    /// rules makes it unique per camera and process; the edge id makes it unique across boxes, which reuse camera
    /// and rule ids. Edge and camera ids cannot contain ':' (configuration validation), so everything before the
    /// first ':' is the edge id and two edges never mint the same id.
    /// </summary>
    public string NextIncidentId(string ruleId, DateTimeOffset at)
    {
        long n = ++_incidentCounter;
        return EdgeId is null
            ? string.Create(CultureInfo.InvariantCulture, $"{CameraId}-{ruleId}-{at.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{n}")
            : string.Create(CultureInfo.InvariantCulture, $"{EdgeId}:{CameraId}-{ruleId}-{at.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{n}");
    }
}
