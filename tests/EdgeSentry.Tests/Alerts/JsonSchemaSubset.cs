using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Alerts;

/// <summary>
/// Validates JSON against the subset of JSON Schema 2020-12 the contracts in contracts/ use. A keyword outside
/// the subset is an error, so a schema can never be "validated" by silently ignoring part of it.
/// </summary>
public sealed partial class JsonSchemaSubset
{
    private static readonly HashSet<string> Annotations =
        ["$schema", "$id", "title", "description", "$comment", "contentEncoding", "contentMediaType", "examples"];

    private readonly JsonElement root;

    public JsonSchemaSubset(JsonElement root) => this.root = root;

    public static JsonSchemaSubset Load(string contractFile)
    {
        string path = Path.Combine(SharedPaths.RepoRoot, "contracts", contractFile);
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        return new JsonSchemaSubset(document.RootElement.Clone());
    }

    /// <summary>Every violation, as "path: problem"; empty when valid.</summary>
    public List<string> Validate(ReadOnlySpan<byte> json)
    {
        using JsonDocument document = JsonDocument.Parse(json.ToArray());
        var errors = new List<string>();
        Check(root, document.RootElement, "$", errors);
        return errors;
    }

    private static void Check(JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        foreach (JsonProperty keyword in schema.EnumerateObject())
        {
            JsonElement rule = keyword.Value;
            switch (keyword.Name)
            {
                case "type":
                    if (!TypeMatches(rule.GetString()!, value))
                    {
                        errors.Add($"{path}: expected {rule.GetString()}, got {value.ValueKind}");
                    }

                    break;
                case "const":
                    if (!JsonElement.DeepEquals(rule, value))
                    {
                        errors.Add($"{path}: expected {rule.GetRawText()}, got {value.GetRawText()}");
                    }

                    break;
                case "enum":
                    if (!rule.EnumerateArray().Any(option => JsonElement.DeepEquals(option, value)))
                    {
                        errors.Add($"{path}: {value.GetRawText()} is not one of {rule.GetRawText()}");
                    }

                    break;
                case "required":
                    if (value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (JsonElement name in rule.EnumerateArray())
                        {
                            if (!value.TryGetProperty(name.GetString()!, out _))
                            {
                                errors.Add($"{path}: missing required '{name.GetString()}'");
                            }
                        }
                    }

                    break;
                case "properties":
                    if (value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (JsonProperty member in value.EnumerateObject())
                        {
                            if (rule.TryGetProperty(member.Name, out JsonElement memberSchema))
                            {
                                Check(memberSchema, member.Value, $"{path}.{member.Name}", errors);
                            }
                        }
                    }

                    break;
                case "additionalProperties":
                    if (rule.ValueKind != JsonValueKind.False)
                    {
                        throw new NotSupportedException($"{path}: only additionalProperties: false is supported");
                    }

                    if (value.ValueKind == JsonValueKind.Object)
                    {
                        JsonElement known = schema.TryGetProperty("properties", out JsonElement p) ? p : default;
                        foreach (JsonProperty member in value.EnumerateObject())
                        {
                            if (known.ValueKind != JsonValueKind.Object || !known.TryGetProperty(member.Name, out _))
                            {
                                errors.Add($"{path}: unexpected property '{member.Name}'");
                            }
                        }
                    }

                    break;
                case "items":
                    if (value.ValueKind == JsonValueKind.Array)
                    {
                        int i = 0;
                        foreach (JsonElement item in value.EnumerateArray())
                        {
                            Check(rule, item, $"{path}[{i++}]", errors);
                        }
                    }

                    break;
                case "minItems" or "maxItems":
                    if (value.ValueKind == JsonValueKind.Array)
                    {
                        int length = value.GetArrayLength();
                        if (keyword.Name == "minItems" ? length < rule.GetInt32() : length > rule.GetInt32())
                        {
                            errors.Add($"{path}: {length} items violates {keyword.Name} {rule.GetInt32()}");
                        }
                    }

                    break;
                case "minimum" or "maximum":
                    if (value.ValueKind == JsonValueKind.Number)
                    {
                        double number = value.GetDouble();
                        if (keyword.Name == "minimum" ? number < rule.GetDouble() : number > rule.GetDouble())
                        {
                            errors.Add($"{path}: {number} violates {keyword.Name} {rule.GetDouble()}");
                        }
                    }

                    break;
                case "minLength" or "maxLength":
                    if (value.ValueKind == JsonValueKind.String)
                    {
                        int length = value.GetString()!.Length;
                        if (keyword.Name == "minLength" ? length < rule.GetInt32() : length > rule.GetInt32())
                        {
                            errors.Add($"{path}: length {length} violates {keyword.Name} {rule.GetInt32()}");
                        }
                    }

                    break;
                case "pattern":
                    if (value.ValueKind == JsonValueKind.String && !Regex.IsMatch(value.GetString()!, rule.GetString()!))
                    {
                        errors.Add($"{path}: '{value.GetString()}' does not match {rule.GetString()}");
                    }

                    break;
                case "format":
                    if (value.ValueKind == JsonValueKind.String && !FormatMatches(rule.GetString()!, value.GetString()!))
                    {
                        errors.Add($"{path}: '{value.GetString()}' is not a {rule.GetString()}");
                    }

                    break;
                default:
                    if (!Annotations.Contains(keyword.Name))
                    {
                        throw new NotSupportedException($"{path}: schema keyword '{keyword.Name}' is outside the supported subset");
                    }

                    break;
            }
        }
    }

    private static bool TypeMatches(string type, JsonElement value) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => throw new NotSupportedException($"type '{type}' is outside the supported subset"),
    };

    private static bool FormatMatches(string format, string text) => format switch
    {
        "date-time" => DateTimeUtc().IsMatch(text) && DateTimeOffset.TryParse(text, out _),
        "uuid" => Guid.TryParseExact(text, "D", out _),
        _ => throw new NotSupportedException($"format '{format}' is outside the supported subset"),
    };

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex DateTimeUtc();
}
