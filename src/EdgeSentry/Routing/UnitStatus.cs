namespace EdgeSentry.Routing;

/// <summary>What a unit last said about itself on its retained status topic.</summary>
public sealed record UnitStatus(bool OnDuty, GeoPoint? Position, DateTimeOffset At);
