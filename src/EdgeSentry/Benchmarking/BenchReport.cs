using System.Text.Json.Serialization;

namespace EdgeSentry.Benchmarking;

/// <summary>Everything one bench run measured; written as report.json and rendered as report.md.</summary>
public sealed record BenchReport
{
    public required DateTimeOffset StartedAt { get; init; }

    public required double Seconds { get; init; }

    public required int ProcessorCount { get; init; }

    /// <summary>/proc/loadavg (1, 5, 15 min) when the run started and when it ended: the box is shared.</summary>
    public required double[] LoadAverageAtStart { get; init; }

    public required double[] LoadAverageAtEnd { get; init; }

    public required string OnnxRuntimeVersion { get; init; }

    public int? MaxFrames { get; init; }

    public required DecodeOnlyResult DecodeOnly { get; init; }

    public required IReadOnlyList<ModelResult> Models { get; init; }

    public required IReadOnlyList<string> Attribution { get; init; }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BenchReport))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
