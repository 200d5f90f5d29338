using System.Text.Json.Serialization;

namespace EdgeSentry.Alerts;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IncidentPayload))]
[JsonSerializable(typeof(EdgeStatusPayload))]
internal sealed partial class AlertJsonContext : JsonSerializerContext;
