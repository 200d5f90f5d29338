using System.Text.Json;

namespace EdgeSentry.Tests.Peers;

/// <summary>One message seen at the broker, when the test saw it, its JSON payload (default when empty or not JSON).</summary>
public sealed record RecordedMessage(TimeSpan At, string Topic, bool Retain, JsonElement Json)
{
    public string? Text(string property) =>
        Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty(property, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public int? Number(string property) =>
        Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty(property, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
}
