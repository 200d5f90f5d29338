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

    public IReadOnlyList<string> Labels { get; }

    public int TrackCapacity { get; }

    /// <summary>Unique per camera and process: the wall-clock start plus a counter shared by all the camera's rules.</summary>
    public string NextIncidentId(string ruleId, DateTimeOffset at) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"{CameraId}-{ruleId}-{at.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{++_incidentCounter}");
}
