using System.Diagnostics.Metrics;
using EdgeSentry.Alerts;
using EdgeSentry.Rules;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Routing;

/// <summary>Where a camera is: its configured grid id wins over its position (see <see cref="GridMap.Locate"/>).</summary>
public sealed record RoutedCamera(string Id, string? GridId, GeoPoint? Position);
