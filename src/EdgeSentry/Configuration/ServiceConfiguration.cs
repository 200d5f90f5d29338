using EdgeSentry.Detection;

namespace EdgeSentry.Configuration;

/// <summary>
/// Loads the service's configuration with the model's labels checked (for `run`, `config check`, reloads and the
/// operator page's editor alike); the mapping to domain options is <see cref="OptionsMapping"/>.
/// </summary>
internal static class ServiceConfiguration
{
    /// <summary>Loads and validates everything, including the model manifest and labels that rules refer to.</summary>
    public static EdgeSentrySection Load(string? path) => ConfigLoader.Load(path, LabelsFor);

    public static IReadOnlyList<string>? LabelsFor(EdgeSentrySection o, List<string> errors)
    {
        try
        {
            var manifest = ModelManifest.Resolve(o.Detector.Model);
            return LabelTable.Load(manifest.LabelsPath(o.Detector.Model), manifest.Classes, Path.GetFileName(o.Detector.Model));
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or IOException or InvalidOperationException or ArgumentException)
        {
            errors.Add($"$.detector.model: {e.Message}");
            return null;
        }
    }
}
