namespace EdgeSentry.Tests.Routing;

/// <summary>
/// The routing outage at real scale (a 70 s broker outage against a 60 s SLA, about two and a half minutes of
/// waiting on the real clock) in a collection of its own: it runs beside the other collections, never in line with them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RealScaleOutageCollection
{
    public const string Name = "Routing outage at real scale (70 s / 60 s)";
}
