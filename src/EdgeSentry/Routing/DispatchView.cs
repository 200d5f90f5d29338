using System.Diagnostics.Metrics;
using EdgeSentry.Alerts;
using EdgeSentry.Rules;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Routing;

/// <summary>The router's view of one incident, for tests and diagnostics.</summary>
public sealed record DispatchView(string IncidentId, LoopState State, int Level, string? UnitId, double? DistanceMetres, DispatchReason Reason, int Escalations, IReadOnlyList<string> Tried, DateTimeOffset? AcceptBy, bool Ended, EndReason? EndReason);
