using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeSentry.Detection;

/// <summary>How a model's input tensor is filled: the exact pre-processing the model was trained with.</summary>
public sealed record InputManifest
{
    public string Name { get; init; } = "";
    public string Layout { get; init; } = "NCHW";
    public int Width { get; init; }
    public int Height { get; init; }
    public string ColourOrder { get; init; } = "bgr";
    public float Scale { get; init; } = 1f;
    public float[] Mean { get; init; } = [0f, 0f, 0f];
    public float[] Std { get; init; } = [1f, 1f, 1f];
    public string Resize { get; init; } = "";
    public string Kernel { get; init; } = "bilinear";
    public float PadValue { get; init; }
}

/// <summary>Family-specific decoder settings; each family reads only its own.</summary>
public sealed record DecoderManifest
{
    public int[] Strides { get; init; } = [];
    public float? NmsIou { get; init; }
    public int RegMax { get; init; } = 7;
    public string? TargetSizesInput { get; init; }
    public float? DedupeIou { get; init; }
    public int? TopK { get; init; }
}

/// <summary>
/// One model's manifest (models/*.json): file, family, input contract, labels, licence, checksum.
/// Resolved by model file name from the manifests folder next to the program.
/// </summary>
public sealed record ModelManifest
{
    public string File { get; init; } = "";
    public string Family { get; init; } = "";
    public string? Description { get; init; }
    public string Sha256 { get; init; } = "";
    public long? SizeBytes { get; init; }
    public string Source { get; init; } = "";
    public string Licence { get; init; } = "";
    public string Labels { get; init; } = "";
    public int Classes { get; init; }
    public InputManifest Input { get; init; } = new();
    public DecoderManifest Decoder { get; init; } = new();

    /// <summary>Where this manifest was read from (for error messages).</summary>
    [JsonIgnore]
    public string ManifestPath { get; init; } = "";

    /// <summary>The folder the build copies models/*.json into.</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "models");

    /// <summary>Reads and validates one manifest file; every problem found is listed in one exception.</summary>
    public static ModelManifest Load(string manifestPath)
    {
        ModelManifest? m;
        try
        {
            using var stream = System.IO.File.OpenRead(manifestPath);
            m = JsonSerializer.Deserialize(stream, ManifestJsonContext.Default.ModelManifest);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"model manifest {manifestPath} is not valid: {e.Message}", e);
        }

        if (m is null)
        {
            throw new InvalidDataException($"model manifest {manifestPath} is empty");
        }

        m = m with { ManifestPath = manifestPath };
        m.Validate();
        return m;
    }

    /// <summary>Finds the manifest whose <c>file</c> is <paramref name="modelPath"/>'s file name.</summary>
    public static ModelManifest Resolve(string modelPath, string? manifestDirectory = null)
    {
        string dir = manifestDirectory ?? DefaultDirectory;
        string name = Path.GetFileName(modelPath);
        if (!Directory.Exists(dir))
        {
            throw new FileNotFoundException($"no model manifests folder {dir}: cannot find the manifest for {name} (the build copies models/*.json there)");
        }

        var known = new List<string>();
        foreach (string path in Directory.EnumerateFiles(dir, "*.json").Order(StringComparer.Ordinal))
        {
            var manifest = Load(path);
            if (string.Equals(manifest.File, name, StringComparison.Ordinal))
            {
                return manifest;
            }

            known.Add(manifest.File);
        }

        throw new FileNotFoundException(
            $"no model manifest in {dir} describes model file {name} (manifests exist for: {string.Join(", ", known)}); add models/<name>.json");
    }

    /// <summary>The labels file path: relative paths are taken from the model file's folder.</summary>
    public string LabelsPath(string modelPath) =>
        Path.IsPathRooted(Labels) ? Labels : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? ".", Labels);

    /// <summary>Throws when the model file's sha256 differs from the manifest's.</summary>
    public void VerifyChecksum(string modelPath)
    {
        string actual;
        using (var stream = System.IO.File.OpenRead(modelPath))
        {
            actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        }

        if (!string.Equals(actual, Sha256, StringComparison.OrdinalIgnoreCase))
        {
            long size = new FileInfo(modelPath).Length;
            string sizeNote = SizeBytes is long expected && expected != size ? $", {size} bytes instead of {expected} (truncated or replaced?)" : "";
            throw new InvalidDataException(
                $"model file {modelPath} does not match its manifest {ManifestPath}: sha256 {actual}, expected {Sha256}{sizeNote}");
        }
    }

    private void Validate()
    {
        var errors = new List<string>();
        void Require(bool ok, string field, string problem)
        {
            if (!ok)
            {
                errors.Add($"{field}: {problem}");
            }
        }

        Require(!string.IsNullOrWhiteSpace(File), "file", "missing");
        Require(Family is "yolox" or "nanodet" or "detr", "family", $"'{Family}' is not one of yolox, nanodet, detr");
        Require(Sha256.Length == 64 && Sha256.All(Uri.IsHexDigit), "sha256", "must be 64 hex digits");
        Require(!string.IsNullOrWhiteSpace(Labels), "labels", "missing (path of the labels file)");
        Require(Classes > 0, "classes", "must be positive");
        Require(!string.IsNullOrWhiteSpace(Licence), "licence", "missing");
        Require(!string.IsNullOrWhiteSpace(Source), "source", "missing");
        var i = Input;
        Require(!string.IsNullOrWhiteSpace(i.Name), "input.name", "missing");
        Require(i.Layout == "NCHW", "input.layout", $"'{i.Layout}' is not supported (NCHW only)");
        Require(i.Width is > 0 and <= 4096 && i.Height is > 0 and <= 4096, "input.width/height", $"{i.Width}x{i.Height} is out of range");
        Require(i.ColourOrder is "bgr" or "rgb", "input.colourOrder", $"'{i.ColourOrder}' is not bgr or rgb");
        Require(i.Resize is "topleft-letterbox" or "centre-letterbox" or "stretch", "input.resize", $"'{i.Resize}' is not topleft-letterbox, centre-letterbox or stretch");
        Require(i.Kernel is "bilinear" or "area", "input.kernel", $"'{i.Kernel}' is not bilinear or area");
        Require(i.Mean.Length == 3, "input.mean", "needs 3 values");
        Require(i.Std.Length == 3 && i.Std.All(s => s > 0f), "input.std", "needs 3 positive values");
        Require(i.Scale > 0f, "input.scale", "must be positive");
        if (Family is "yolox" or "nanodet")
        {
            Require(Decoder.Strides.Length > 0 && Decoder.Strides.All(s => s > 0), "decoder.strides", "needs positive strides");
            Require(Decoder.NmsIou is > 0f and <= 1f, "decoder.nmsIou", "needs a value in (0, 1]");
        }

        if (Family == "nanodet")
        {
            Require(Decoder.RegMax is > 0 and < 64, "decoder.regMax", "must be in 1..63");
        }

        if (Family == "detr")
        {
            Require(!string.IsNullOrWhiteSpace(Decoder.TargetSizesInput), "decoder.targetSizesInput", "missing (name of the (w,h) int64 input)");
            Require(Decoder.TopK is > 0, "decoder.topK", "needs the number of detections the graph returns (K)");
        }

        if (errors.Count > 0)
        {
            throw new InvalidDataException($"model manifest {ManifestPath} is invalid: {string.Join("; ", errors)}");
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(ModelManifest))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
