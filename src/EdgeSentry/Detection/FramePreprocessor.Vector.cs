using EdgeSentry.Capture;

namespace EdgeSentry.Detection;

public sealed partial class FramePreprocessor
{
    private readonly float[] rowBuffer0;
    private readonly float[] rowBuffer1;
    private readonly float[] rowAccumulator;

    /// <summary>Fills <paramref name="chw"/> from <paramref name="source"/>; returns where the frame landed.</summary>
    /// <summary>True when this CPU runs the SIMD path.</summary>
    public static bool IsVectorised => false;

    public InputGeometry Run(BgrImage source, Span<float> chw) => RunScalar(source, chw);
}
