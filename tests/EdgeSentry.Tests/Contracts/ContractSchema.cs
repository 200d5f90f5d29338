using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeSentry.Tests.Peers;
using Json.Schema;

namespace EdgeSentry.Tests.Contracts;

/// <summary>One JSON Schema of contracts/, evaluated by JsonSchema.Net (draft 2020-12, formats asserted).</summary>
public sealed class ContractSchema
{
    // One instance per file: schemas register under their $id, and tests load the same file from many places.
    private static readonly ConcurrentDictionary<string, ContractSchema> Loaded = new(StringComparer.Ordinal);
    private readonly JsonSchema _schema;

    private ContractSchema(string file, JsonSchema schema)
    {
        File = file;
        _schema = schema;
    }

    /// <summary>The schema file's name in contracts/.</summary>
    public string File { get; }

    public static ContractSchema Load(string contractFile)
    {
        return Loaded.GetOrAdd(contractFile, file => new ContractSchema(file, JsonSchema.FromFile(Path.Combine(SharedPaths.RepoRoot, "contracts", file))));
    }

    /// <summary>Every violation as "instance location: message"; empty when the payload is valid.</summary>
    public IReadOnlyList<string> Validate(ReadOnlySpan<byte> json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json.ToArray());
        }
        catch (JsonException e)
        {
            return [$"not JSON: {e.Message}"];
        }

        // Fresh options per call: evaluation registers the schema in the options' registry, which is not shared
        // between tests running in parallel.
        EvaluationResults results = _schema.Evaluate(node, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (results.IsValid)
        {
            return [];
        }

        var errors = (results.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key} {e.Value}"))
            .ToList();
        return errors.Count > 0 ? errors : ["invalid"];
    }
}
