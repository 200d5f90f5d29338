using System.Security.Cryptography;
using System.Text.Json;

namespace EdgeSentry.Detection;

/// <summary>Family-specific decoder settings; each family reads only its own.</summary>
public sealed record DecoderManifest
{
    public int[] Strides { get; set; } = [];
    public float? NmsIou { get; set; }
    public int RegMax { get; set; } = 7;
    public string? TargetSizesInput { get; set; }
    public float? DedupeIou { get; set; }
    public int? TopK { get; set; }
}
