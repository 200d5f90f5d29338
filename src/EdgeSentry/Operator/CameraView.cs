namespace EdgeSentry.Operator;

// What the operator's page reads, as JSON. Strings from configuration or the network travel as data; the page
// puts them into the DOM as text only.

/// <summary>A camera in the page's list: its URL is redacted before it gets here.</summary>
public sealed record CameraView(
    string Id, string Name, string Url, string State, long FramesDecoded, long Dropped, long Reconnects,
    double FramesPerSecond, double FrameAgeMs, bool Live);
