using Microsoft.ML.OnnxRuntime;

namespace EdgeSentry.Detection;

/// <summary>What a family decoder gets at start-up.</summary>
internal sealed record FamilyContext(ModelSession Session, OrtIoBinding Binding, ModelManifest Manifest, DetectorOptions Options, DetectionFilter Filter)
{
    public InvalidDataException Mismatch(string expected) => new(
        $"model {Session.ModelPath} is declared family '{Manifest.Family}' by {Manifest.ManifestPath}, but its outputs " +
        $"({string.Join("; ", Session.Outputs)}) do not fit: {expected}");

    public static bool ShapeMatches(IReadOnlyList<long> actual, ReadOnlySpan<long> expected)
    {
        if (actual.Count != expected.Length)
        {
            return false;
        }

        for (int i = 0; i < expected.Length; i++)
        {
            if (actual[i] != expected[i] && actual[i] != -1)
            {
                return false;
            }
        }

        return true;
    }
}
