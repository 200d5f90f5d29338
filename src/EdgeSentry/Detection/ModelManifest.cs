using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeSentry.Detection;

/// <summary>
/// One model's manifest (models/*.json): file, family, input contract, labels, licence, checksum.
/// Resolved by model file name from the manifests folder next to the program.
/// </summary>
public sealed record ModelManifest
{
    public string File { get; set; } = "";
    public string Family { get; set; } = "";
    public string? Description { get; set; }
    public string Sha256 { get; set; } = "";
    public long? SizeBytes { get; set; }
    public string Source { get; set; } = "";
    public string Licence { get; set; } = "";
    public string Labels { get; set; } = "";
    public int Classes { get; set; }
    public InputManifest Input { get; set; } = new();
    public DecoderManifest Decoder { get; set; } = new();

    /// <summary>Score levels for track birth measured for this model; null keeps ByteTrack's defaults.</summary>
    public TrackBirthManifest? TrackBirth { get; set; }

    /// <summary>Where this manifest was read from (for error messages).</summary>
    [JsonIgnore]
    public string ManifestPath { get; set; } = "";

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

        if (m.Input is null || m.Decoder is null)
        {
            throw new InvalidDataException($"model manifest {manifestPath} needs an 'input' and a 'decoder' object");
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
        Require(i.Mean is { Length: 3 }, "input.mean", "needs 3 values");
        Require(i.Std is { Length: 3 } && i.Std.All(s => s > 0f), "input.std", "needs 3 positive values");
        Require(i.Scale > 0f, "input.scale", "must be positive");
        if (TrackBirth is { } b)
        {
            Require(b.LowScore is > 0f and < 1f && b.LowScore <= b.HighScore && b.HighScore <= b.NewTrackScore && b.NewTrackScore < 1f,
                "trackBirth", "needs 0 < lowScore <= highScore <= newTrackScore < 1");
            Require(!string.IsNullOrWhiteSpace(b.Measured), "trackBirth.measured", "missing (how the levels were measured)");
        }
        if (Family is "yolox" or "nanodet")
        {
            Require(Decoder.Strides is { Length: > 0 } && Decoder.Strides.All(s => s > 0), "decoder.strides", "needs positive strides");
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
