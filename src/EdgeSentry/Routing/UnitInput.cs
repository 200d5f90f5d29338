using System.Globalization;
using System.Text.Json;

namespace EdgeSentry.Routing;

/// <summary>
/// Strict readers for the untrusted payloads units publish: contracts unit-status.v1 and unit-ack.v1.
/// Size is checked before parsing; depth is bounded; unknown fields, wrong types and out-of-range values are errors.
/// </summary>
public static class UnitInput
{
    public const string StatusSchema = "edgesentry/v1/unit-status";
    public const string AckSchema = "edgesentry/v1/unit-ack";
    /// <summary>
    /// Longest incident id an ack may name: the edge mints at most 64 (edge) + 64 (camera) + 64 (rule) characters, four
    /// separators, a 19-character time and a counter of up to 19 digits = 234.
    /// </summary>
    private const int MaxIdLength = 256;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 4, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>Splits <c>edgesentry/v1/units/{unitId}/{status|acks}</c>; false for any other topic.</summary>
    public static bool TryParseTopic(string topic, out string unitId, out string kind)
    {
        unitId = kind = "";
        const string prefix = Alerts.AlertTopics.Root + "/units/";
        if (!topic.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        string rest = topic[prefix.Length..];
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || rest.IndexOf('/', slash + 1) >= 0)
        {
            return false;
        }

        kind = rest[(slash + 1)..];
        unitId = rest[..slash];
        return kind is "status" or "acks";
    }

    public static InputOutcome TryReadStatus(ReadOnlySpan<byte> payload, string topicUnitId, int maxBytes, out UnitStatus? status)
    {
        status = null;
        bool? onDuty = null;
        double? lat = null;
        double? lon = null;
        DateTimeOffset? at = null;
        InputOutcome outcome = ReadEnvelope(payload, maxBytes, StatusSchema, topicUnitId, p =>
        {
            switch (p.Name)
            {
                case "onDuty" when p.Value.ValueKind is JsonValueKind.True or JsonValueKind.False && onDuty is null:
                    onDuty = p.Value.GetBoolean();
                    return true;
                case "lat" when p.Value.ValueKind == JsonValueKind.Number && lat is null:
                    lat = p.Value.GetDouble();
                    return true;
                case "lon" when p.Value.ValueKind == JsonValueKind.Number && lon is null:
                    lon = p.Value.GetDouble();
                    return true;
                case "at" when at is null && TryTime(p.Value, out DateTimeOffset t):
                    at = t;
                    return true;
                default:
                    return false;
            }
        });
        if (outcome != InputOutcome.Accepted)
        {
            return outcome;
        }

        if (onDuty is null || at is null || lat.HasValue != lon.HasValue)
        {
            return InputOutcome.Malformed;
        }

        GeoPoint? position = null;
        if (lat is { } la && lon is { } lo)
        {
            var point = new GeoPoint(la, lo);
            if (!point.IsValid)
            {
                return InputOutcome.Malformed;
            }

            position = point;
        }

        status = new UnitStatus(onDuty.Value, position, at.Value);
        return InputOutcome.Accepted;
    }

    public static InputOutcome TryReadAck(ReadOnlySpan<byte> payload, string topicUnitId, int maxBytes, out UnitAck? ack)
    {
        ack = null;
        string? incidentId = null;
        AckStatus? status = null;
        DateTimeOffset? at = null;
        InputOutcome outcome = ReadEnvelope(payload, maxBytes, AckSchema, topicUnitId, p =>
        {
            switch (p.Name)
            {
                case "incidentId" when p.Value.ValueKind == JsonValueKind.String && incidentId is null
                                       && p.Value.GetString() is { Length: > 0 and <= MaxIdLength } id:
                    incidentId = id;
                    return true;
                case "status" when p.Value.ValueKind == JsonValueKind.String && status is null:
                    status = p.Value.GetString() switch
                    {
                        "accepted" => AckStatus.Accepted,
                        "on-site" => AckStatus.OnSite,
                        "resolved" => AckStatus.Resolved,
                        _ => null,
                    };
                    return status is not null;
                case "at" when at is null && TryTime(p.Value, out DateTimeOffset t):
                    at = t;
                    return true;
                default:
                    return false;
            }
        });
        if (outcome != InputOutcome.Accepted)
        {
            return outcome;
        }

        if (incidentId is null || status is null || at is null)
        {
            return InputOutcome.Malformed;
        }

        ack = new UnitAck(incidentId, status.Value, at.Value);
        return InputOutcome.Accepted;
    }

    /// <summary>
    /// The part every unit message shares: the size limit before parsing, a JSON object, and the schema, version
    /// and unitId fields (a unitId other than the topic's is <see cref="InputOutcome.WrongUnit"/>). Every other
    /// field goes to <paramref name="field"/>, which returns false for anything it does not take (Malformed).
    /// </summary>
    private static InputOutcome ReadEnvelope(ReadOnlySpan<byte> payload, int maxBytes, string schema, string topicUnitId, Func<JsonProperty, bool> field)
    {
        if (payload.Length > maxBytes)
        {
            return InputOutcome.Oversized;
        }

        try
        {
            using JsonDocument doc = JsonDocument.Parse(payload.ToArray(), Options);
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return InputOutcome.Malformed;
            }

            foreach (JsonProperty p in root.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "schema" when p.Value.ValueKind == JsonValueKind.String && p.Value.ValueEquals(schema):
                        break;
                    case "version" when p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out int v) && v == 1:
                        break;
                    case "unitId" when p.Value.ValueKind == JsonValueKind.String:
                        if (!p.Value.ValueEquals(topicUnitId))
                        {
                            return InputOutcome.WrongUnit;
                        }

                        break;
                    default:
                        if (!field(p))
                        {
                            return InputOutcome.Malformed;
                        }

                        break;
                }
            }

            return InputOutcome.Accepted;
        }
        catch (JsonException)
        {
            return InputOutcome.Malformed;
        }
    }

    /// <summary>
    /// A unit's timestamp may run ahead of the edge's clock by at most <paramref name="maxSkew"/> (phone clocks
    /// drift). Further ahead is a broken clock or a forged message that would otherwise stay "newest" for good.
    /// Old timestamps are not refused here: a status goes stale by age and acks queued in a broker arrive late.
    /// </summary>
    public static bool WithinSkew(DateTimeOffset at, DateTimeOffset now, TimeSpan maxSkew) => at <= now + maxSkew;

    public static string Wire(AckStatus status) => status switch
    {
        AckStatus.Accepted => "accepted",
        AckStatus.OnSite => "on-site",
        AckStatus.Resolved => "resolved",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "unknown ack status"),
    };

    private static bool TryTime(JsonElement value, out DateTimeOffset at)
    {
        at = default;
        return value.ValueKind == JsonValueKind.String
            && value.GetString() is { Length: >= 20 and <= 40 } text
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at)
            && (text.EndsWith('Z') || text.Contains('+', StringComparison.Ordinal) || text.LastIndexOf('-') > 10);
    }
}
