using System.Text.Json.Serialization;

namespace EdgeSentry.Planning;

/// <summary>Everything <c>plan</c> measured and concluded; printed as Markdown or JSON.</summary>
public sealed record PlanReport
{
    public required DateTimeOffset At { get; init; }

    public required SizingInputs Inputs { get; init; }

    /// <summary>The bench report the inference costs came from.</summary>
    public required string Bench { get; init; }

    /// <summary>/proc/loadavg (1, 5, 15 min) when the decode costs were measured: the box may be shared.</summary>
    public required double[] LoadAverage { get; init; }

    public required IReadOnlyList<DecodeCost> Decode { get; init; }

    public required IReadOnlyList<InferenceCost> Inference { get; init; }

    public required IReadOnlyList<SizingRow> Rows { get; init; }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PlanReport))]
internal sealed partial class PlanJsonContext : JsonSerializerContext;
