namespace EdgeSentry.Routing;

/// <summary>A configured unit (a grid worker's team): its home cell and, optionally, a fixed position (a post).</summary>
public sealed record UnitDefinition(string Id, string Name, string GridId, GeoPoint? Position = null);
