using System.Security.Cryptography;
using System.Text.Json;

namespace EdgeSentry.Detection;

// Settable rather than init-only: the JSON source generator treats init-only properties like constructor
// parameters and passes default values for missing ones, which would silently drop the initializers below.

/// <summary>How a model's input tensor is filled: the exact pre-processing the model was trained with.</summary>
public sealed record InputManifest
{
    public string Name { get; set; } = "";
    public string Layout { get; set; } = "NCHW";
    public int Width { get; set; }
    public int Height { get; set; }
    public string ColourOrder { get; set; } = "bgr";
    public float Scale { get; set; } = 1f;
    public float[] Mean { get; set; } = [0f, 0f, 0f];
    public float[] Std { get; set; } = [1f, 1f, 1f];
    public string Resize { get; set; } = "";
    public string Kernel { get; set; } = "bilinear";
    public float PadValue { get; set; }
}
