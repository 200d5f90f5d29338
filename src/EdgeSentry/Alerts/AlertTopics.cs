namespace EdgeSentry.Alerts;

/// <summary>The MQTT topic tree of contract edgesentry/v1 (DESIGN.md §4).</summary>
public static class AlertTopics
{
    public const string Root = "edgesentry/v1";

    public static string EdgeStatus(string edgeId) => $"{Root}/edges/{Segment(edgeId, "edge id")}/status";

    /// <summary>Retained camera status, under the edge's own topics: camera ids of two boxes never collide.</summary>
    public static string CameraStatus(string edgeId, string cameraId) =>
        $"{Root}/edges/{Segment(edgeId, "edge id")}/cameras/{Segment(cameraId, "camera id")}/status";

    public static string EdgeStats(string edgeId) => $"{Root}/edges/{Segment(edgeId, "edge id")}/stats";

    /// <summary>
    /// An incident's transitions: grid cell first, so <c>alerts/{gridId}/#</c> still selects a district cell, then the
    /// edge, so <c>alerts/+/{edgeId}/#</c> selects one box and the ACL pattern <c>alerts/+/%u/#</c> confines a box to
    /// its own alerts; camera ids are unique per box only.
    /// </summary>
    public static string Alerts(string gridId, string edgeId, string cameraId) =>
        $"{Root}/alerts/{Segment(gridId, "grid id")}/{Segment(edgeId, "edge id")}/{Segment(cameraId, "camera id")}";

    public static string UnitAlerts(string unitId) => $"{Root}/units/{Segment(unitId, "unit id")}/alerts";

    public static string UnitStatus(string unitId) => $"{Root}/units/{Segment(unitId, "unit id")}/status";

    public static string UnitAcks(string unitId) => $"{Root}/units/{Segment(unitId, "unit id")}/acks";

    public static string Escalations(string street) => $"{Root}/escalations/{Segment(street, "street")}";

    /// <summary>
    /// An incident's retained closed-loop state, under the edge that owns it: <c>incidents/{edgeId}/#</c> selects one
    /// box and the ACL pattern <c>incidents/%u/#</c> lets a box write only its own incidents' state.
    /// </summary>
    public static string IncidentState(string edgeId, string incidentId) =>
        $"{Root}/incidents/{Segment(edgeId, "edge id")}/{Segment(incidentId, "incident id")}/state";

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
