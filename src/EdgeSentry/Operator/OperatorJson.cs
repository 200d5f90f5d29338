using System.Text.Json.Serialization;

namespace EdgeSentry.Operator;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<CameraView>))]
[JsonSerializable(typeof(LiveFramePayload))]
[JsonSerializable(typeof(FeedItem))]
[JsonSerializable(typeof(LoopItem))]
[JsonSerializable(typeof(DetectorView))]
[JsonSerializable(typeof(EditResult))]
internal sealed partial class OperatorJson : JsonSerializerContext;
