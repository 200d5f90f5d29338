using System.Text.Json;

namespace EdgeSentry.Routing;

public sealed record UnitAck(string IncidentId, AckStatus Status, DateTimeOffset At);
