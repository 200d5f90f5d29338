using System.Text.Json.Serialization;

namespace EdgeSentry.Pipeline;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CameraStatusPayload))]
[JsonSerializable(typeof(EdgeStatsPayload))]
internal sealed partial class StatusJson : JsonSerializerContext;
