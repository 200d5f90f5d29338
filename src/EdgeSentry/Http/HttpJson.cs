using System.Text.Json.Serialization;

namespace EdgeSentry.Http;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(HealthzPayload))]
[JsonSerializable(typeof(ReadyzPayload))]
internal sealed partial class HttpJson : JsonSerializerContext;
