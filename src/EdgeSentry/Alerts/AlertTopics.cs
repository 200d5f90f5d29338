namespace EdgeSentry.Alerts;

/// <summary>The MQTT topic tree of contract edgesentry/v1 (DESIGN.md §4).</summary>
public static class AlertTopics
{
    public const string Root = "edgesentry/v1";

    public static string EdgeStatus(string edgeId) => $"{Root}/edges/{Segment(edgeId, "edge id")}/status";

    public static string Alerts(string gridId, string cameraId) =>
        $"{Root}/alerts/{Segment(gridId, "grid id")}/{Segment(cameraId, "camera id")}";

    /// <summary>An id becomes one topic level: it must not be empty or contain '/', '+', '#' or NUL.</summary>
    public static string Segment(string id, string what)
    {
        if (string.IsNullOrEmpty(id) || id.AsSpan().IndexOfAny("/+#\0") >= 0)
        {
            throw new ArgumentException($"{what} '{id}' cannot be an MQTT topic level (empty, or contains '/', '+', '#' or NUL)", what);
        }

        return id;
    }
}
