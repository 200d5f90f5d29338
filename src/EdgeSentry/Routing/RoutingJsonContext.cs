using System.Text.Json.Serialization;
using EdgeSentry.Alerts;

namespace EdgeSentry.Routing;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DispatchPayload))]
[JsonSerializable(typeof(IncidentStatePayload))]
internal sealed partial class RoutingJsonContext : JsonSerializerContext;
