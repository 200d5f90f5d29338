namespace EdgeSentry.Detection;

/// <summary>The resampling kernel the model was trained with.</summary>
public enum ResizeKernel
{
    /// <summary>OpenCV INTER_LINEAR: 2 taps per axis, half-pixel centres, no antialiasing.</summary>
    Bilinear,

    /// <summary>OpenCV INTER_AREA: box average over the covered source area (bilinear when enlarging).</summary>
    Area,
}
