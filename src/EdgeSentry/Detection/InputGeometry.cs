namespace EdgeSentry.Detection;

/// <summary>
/// Where the resized frame sits in the model input for one source size, and how to map input
/// pixels back to source pixels: <c>source = (input - offset) / scale</c>.
/// </summary>
public readonly record struct InputGeometry(
    int SourceWidth, int SourceHeight, int ResizedWidth, int ResizedHeight, int OffsetX, int OffsetY, float ScaleX, float ScaleY)
{
    public static InputGeometry Compute(ResizeMode mode, int inputWidth, int inputHeight, int sourceWidth, int sourceHeight)
    {
        if (mode == ResizeMode.Stretch)
        {
            return new InputGeometry(sourceWidth, sourceHeight, inputWidth, inputHeight, 0, 0,
                (float)inputWidth / sourceWidth, (float)inputHeight / sourceHeight);
        }

        // YOLOX preproc: r = min(h/H, w/W), resized to (int(W*r), int(H*r)) -- truncation, as in the training code.
        double r = Math.Min((double)inputHeight / sourceHeight, (double)inputWidth / sourceWidth);
        int rw = Math.Clamp((int)(sourceWidth * r), 1, inputWidth);
        int rh = Math.Clamp((int)(sourceHeight * r), 1, inputHeight);
        int ox = mode == ResizeMode.CentreLetterbox ? (inputWidth - rw) / 2 : 0;
        int oy = mode == ResizeMode.CentreLetterbox ? (inputHeight - rh) / 2 : 0;
        return new InputGeometry(sourceWidth, sourceHeight, rw, rh, ox, oy, (float)r, (float)r);
    }

    /// <summary>Maps a box in model-input pixels to source pixels, clipped to the frame.</summary>
    public BoundingBox ToSource(float x1, float y1, float x2, float y2) => new(
        Math.Clamp((x1 - OffsetX) / ScaleX, 0f, SourceWidth),
        Math.Clamp((y1 - OffsetY) / ScaleY, 0f, SourceHeight),
        Math.Clamp((x2 - OffsetX) / ScaleX, 0f, SourceWidth),
        Math.Clamp((y2 - OffsetY) / ScaleY, 0f, SourceHeight));

    /// <summary>Maps a box to source pixels without clipping (NMS runs on unclipped boxes, as in the reference).</summary>
    public BoundingBox ToSourceUnclipped(float x1, float y1, float x2, float y2) => new(
        (x1 - OffsetX) / ScaleX, (y1 - OffsetY) / ScaleY, (x2 - OffsetX) / ScaleX, (y2 - OffsetY) / ScaleY);

    public BoundingBox Clip(in BoundingBox b) => new(
        Math.Clamp(b.X1, 0f, SourceWidth), Math.Clamp(b.Y1, 0f, SourceHeight),
        Math.Clamp(b.X2, 0f, SourceWidth), Math.Clamp(b.Y2, 0f, SourceHeight));
}
