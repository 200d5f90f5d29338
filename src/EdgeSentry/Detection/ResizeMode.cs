namespace EdgeSentry.Detection;

/// <summary>How a model input is laid out over the source frame.</summary>
public enum ResizeMode
{
    /// <summary>Keep aspect ratio, paste at the top-left, pad right and bottom (YOLOX).</summary>
    TopLeftLetterbox,

    /// <summary>Keep aspect ratio, centre, pad on both sides (NanoDet).</summary>
    CentreLetterbox,

    /// <summary>Scale each axis independently to fill the input (DETR family).</summary>
    Stretch,
}
