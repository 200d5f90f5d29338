using EdgeSentry.Capture;

namespace EdgeSentry.Detection;

/// <summary>
/// Turns a packed BGR24 frame into a model's NCHW float input in one pass: resize with the kernel the
/// model was trained with, letterbox or stretch, colour order, <c>(v * scale - mean) / std</c>, HWC to CHW,
/// written straight into the caller's (pinned tensor) span.
/// The resize reproduces OpenCV 4's uint8 <c>cv2.resize</c> bit for bit where it matters: INTER_LINEAR with
/// 11-bit fixed-point weights and its SIMD vertical pass (<c>((b0*(h0&gt;&gt;4))&gt;&gt;16 + (b1*(h1&gt;&gt;4))&gt;&gt;16 + 2)&gt;&gt;2</c>),
/// INTER_AREA with float weights rounded half to even. The references were made with it; a float bilinear
/// moved one DEIMv2-atto score by 0.044 (the golden tolerance is 0.05), the exact one by 0.0004.
/// Sampling tables are rebuilt only when the source size changes; nothing is allocated per frame.
/// Not thread-safe: one per detector.
/// </summary>
public sealed partial class FramePreprocessor
{
    private readonly float[] _alpha = new float[3];
    private readonly float[] _beta = new float[3];
    private readonly float[] _padNormalised = new float[3];

    // Source channel (0 B, 1 G, 2 R) feeding tensor plane p.
    private readonly int[] _sourceChannel = new int[3];

    // Bilinear: per destination column/row the two source taps (byte offset / row) and their 11-bit weights.
    private readonly int[] _xOffset0;
    private readonly int[] _xOffset1;
    private readonly int[] _xWeight0;
    private readonly int[] _xWeight1;
    private readonly int[] _xWeightPair;
    private readonly int[] _yRow0;
    private readonly int[] _yRow1;
    private readonly int[] _yWeight0;
    private readonly int[] _yWeight1;

    // Area: compressed rows of (source index, weight) per destination column/row.
    private readonly int[] _xAreaBegin;
    private readonly int[] _yAreaBegin;
    private int[] _xAreaIndex = [];
    private float[] _xAreaWeight = [];
    private int[] _yAreaIndex = [];
    private float[] _yAreaWeight = [];

    private InputGeometry _geometry;
    private bool _hasGeometry;

    public FramePreprocessor(
        int width, int height, ResizeMode mode, ResizeKernel kernel, bool rgb, float padValue, float scale,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (mean.Length != 3 || std.Length != 3)
        {
            throw new ArgumentException("mean and std need one value per channel (3)");
        }

        Width = width;
        Height = height;
        Mode = mode;
        Kernel = kernel;
        for (int p = 0; p < 3; p++)
        {
            _sourceChannel[p] = rgb ? 2 - p : p;
            _alpha[p] = scale / std[p];
            _beta[p] = -mean[p] / std[p];
            _padNormalised[p] = (padValue * _alpha[p]) + _beta[p];
        }

        _xOffset0 = new int[width];
        _xOffset1 = new int[width];
        _xWeight0 = new int[width];
        _xWeight1 = new int[width];
        _xWeightPair = new int[width];
        _yRow0 = new int[height];
        _yRow1 = new int[height];
        _yWeight0 = new int[height];
        _yWeight1 = new int[height];
        _xAreaBegin = new int[width + 1];
        _yAreaBegin = new int[height + 1];
        _rowInt0 = new int[3 * width];
        _rowInt1 = new int[3 * width];
        _rowFloat = new float[3 * width];
        _rowAccumulator = new float[3 * width];
    }

    public int Width { get; }
    public int Height { get; }
    public ResizeMode Mode { get; }
    public ResizeKernel Kernel { get; }

    /// <summary>Elements of the input tensor for one frame (3 x Height x Width).</summary>
    public int TensorLength => 3 * Width * Height;

    public static FramePreprocessor FromManifest(InputManifest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var mode = input.Resize switch
        {
            "topleft-letterbox" => ResizeMode.TopLeftLetterbox,
            "centre-letterbox" => ResizeMode.CentreLetterbox,
            "stretch" => ResizeMode.Stretch,
            _ => throw new ArgumentException($"unknown resize mode '{input.Resize}'", nameof(input)),
        };
        var kernel = input.Kernel == "area" ? ResizeKernel.Area : ResizeKernel.Bilinear;
        return new FramePreprocessor(input.Width, input.Height, mode, kernel, input.ColourOrder == "rgb", input.PadValue, input.Scale, input.Mean, input.Std);
    }

    /// <summary>The reference implementation: plain per-pixel arithmetic, no SIMD, no row caching.</summary>
    public InputGeometry RunScalar(BgrImage source, Span<float> chw)
    {
        var g = Prepare(source, chw);
        FillPadding(chw, g);
        if (UsesBilinear(g))
        {
            ScalarBilinear(source, chw, g);
        }
        else
        {
            ScalarArea(source, chw, g);
        }

        return g;
    }

    private const float CoefficientScale = 2048f;

    // OpenCV's SIMD vertical pass for uint8 (VResizeLinearVec_32s8u): horizontal sums pre-shifted by 4,
    // 16-bit high multiplies, +2 >> 2; clamped to a byte.
    private static float VerticalLinear(int top, int bottom, int w0, int w1) =>
        Math.Clamp((((top * w0) >> 16) + ((bottom * w1) >> 16) + 2) >> 2, 0, 255);

    // INTER_AREA only averages when shrinking on both axes; otherwise OpenCV interpolates with two taps, and so
    // does this (with OpenCV's area-mode weights, see BuildBilinearAxis).
    private bool UsesBilinear(in InputGeometry g) =>
        Kernel == ResizeKernel.Bilinear || g.ResizedWidth > g.SourceWidth || g.ResizedHeight > g.SourceHeight;

    private InputGeometry Prepare(BgrImage source, Span<float> chw)
    {
        if (chw.Length < TensorLength)
        {
            throw new ArgumentException($"input tensor holds {chw.Length} floats, {TensorLength} needed for 3x{Height}x{Width}", nameof(chw));
        }

        if (!_hasGeometry || _geometry.SourceWidth != source.Width || _geometry.SourceHeight != source.Height)
        {
            _geometry = InputGeometry.Compute(Mode, Width, Height, source.Width, source.Height);
            BuildBilinearTables(_geometry);
            if (Kernel == ResizeKernel.Area)
            {
                BuildAreaTables(_geometry);
            }

            _hasGeometry = true;
        }

        return _geometry;
    }

    private void BuildBilinearTables(in InputGeometry g)
    {
        bool areaMode = Kernel == ResizeKernel.Area;
        BuildBilinearAxis(g.SourceWidth, g.ResizedWidth, _xOffset0, _xOffset1, _xWeight0, _xWeight1, bytesPerStep: 3, areaMode);
        BuildBilinearAxis(g.SourceHeight, g.ResizedHeight, _yRow0, _yRow1, _yWeight0, _yWeight1, bytesPerStep: 1, areaMode);
        for (int dx = 0; dx < g.ResizedWidth; dx++)
        {
            _xWeightPair[dx] = _xWeight0[dx] | (_xWeight1[dx] << 16);
        }
        _cachedRow0 = _cachedRow1 = -1;
    }

    // OpenCV INTER_LINEAR: src = (dst + 0.5) * (srcSize / dstSize) - 0.5, taps floor(src) and +1, clamped to
    // the edge with the weight moved onto the edge pixel. Weights are rounded to 1/2048 (INTER_RESIZE_COEF_BITS).
    // INTER_AREA when not shrinking on both axes: OpenCV's own two-tap weights (resize.cpp, area_mode): tap
    // floor(dst * srcSize / dstSize), and only the part of the destination pixel that spills past that source
    // pixel's edge goes to the next one. Plain bilinear weights there differed from cv2.resize by up to 182 levels.
    private static void BuildBilinearAxis(int sourceSize, int resizedSize, int[] tap0, int[] tap1, int[] weight0, int[] weight1, int bytesPerStep, bool areaMode)
    {
        double scale = (double)sourceSize / resizedSize;
        double inverseScale = (double)resizedSize / sourceSize;
        for (int d = 0; d < resizedSize; d++)
        {
            float f;
            int s;
            if (areaMode)
            {
                s = (int)Math.Floor(d * (1.0 / inverseScale));
                f = (float)((d + 1) - ((s + 1) * inverseScale));
                f = f <= 0 ? 0f : f - MathF.Floor(f);
            }
            else
            {
                f = (float)(((d + 0.5) * scale) - 0.5);
                s = (int)MathF.Floor(f);
                f -= s;
            }

            if (s < 0)
            {
                s = 0;
                f = 0f;
            }

            if (s >= sourceSize - 1)
            {
                s = sourceSize - 1;
                f = 0f;
            }

            tap0[d] = s * bytesPerStep;
            tap1[d] = Math.Min(s + 1, sourceSize - 1) * bytesPerStep;
            weight0[d] = (int)MathF.Round((1f - f) * CoefficientScale);
            weight1[d] = (int)MathF.Round(f * CoefficientScale);
        }
    }

    private void BuildAreaTables(in InputGeometry g)
    {
        BuildAreaAxis(g.SourceWidth, g.ResizedWidth, _xAreaBegin, ref _xAreaIndex, ref _xAreaWeight);
        BuildAreaAxis(g.SourceHeight, g.ResizedHeight, _yAreaBegin, ref _yAreaIndex, ref _yAreaWeight);
        BuildPaddedAreaTaps(g.ResizedWidth);
        _cachedAreaRow = -1;
    }

    // OpenCV INTER_AREA when shrinking: each destination cell [d*scale, (d+1)*scale) averages the source
    // pixels it covers, partial pixels weighted by the covered fraction (computeResizeAreaTab).
    private static void BuildAreaAxis(int sourceSize, int resizedSize, int[] begin, ref int[] index, ref float[] weight)
    {
        double scale = (double)sourceSize / resizedSize;
        int needed = resizedSize * ((int)Math.Ceiling(scale) + 2);
        if (index.Length < needed)
        {
            // Only when a larger source size appears; steady-state frames reuse the tables.
            index = new int[needed];
            weight = new float[needed];
        }

        int k = 0;
        for (int d = 0; d < resizedSize; d++)
        {
            begin[d] = k;
            double f1 = d * scale;
            double f2 = f1 + scale;
            double cell = Math.Min(scale, sourceSize - f1);
            int s1 = (int)Math.Ceiling(f1);
            int s2 = Math.Min((int)Math.Floor(f2), sourceSize - 1);
            s1 = Math.Min(s1, s2);
            if (s1 - f1 > 1e-3)
            {
                index[k] = s1 - 1;
                weight[k++] = (float)((s1 - f1) / cell);
            }

            for (int s = s1; s < s2; s++)
            {
                index[k] = s;
                weight[k++] = (float)(1.0 / cell);
            }

            if (f2 - s2 > 1e-3)
            {
                index[k] = s2;
                weight[k++] = (float)(Math.Min(Math.Min(f2 - s2, 1.0), cell) / cell);
            }
        }

        begin[resizedSize] = k;
    }

    private void FillPadding(Span<float> chw, in InputGeometry g)
    {
        int plane = Width * Height;
        for (int p = 0; p < 3; p++)
        {
            var dst = chw.Slice(p * plane, plane);
            float pad = _padNormalised[p];
            if (g.ResizedWidth == Width && g.ResizedHeight == Height)
            {
                continue;
            }

            dst[..(g.OffsetY * Width)].Fill(pad);
            int below = g.OffsetY + g.ResizedHeight;
            dst[(below * Width)..].Fill(pad);
            int right = g.OffsetX + g.ResizedWidth;
            for (int y = g.OffsetY; y < below; y++)
            {
                var row = dst.Slice(y * Width, Width);
                row[..g.OffsetX].Fill(pad);
                row[right..].Fill(pad);
            }
        }
    }

    private void ScalarBilinear(BgrImage source, Span<float> chw, in InputGeometry g)
    {
        int plane = Width * Height;
        for (int dy = 0; dy < g.ResizedHeight; dy++)
        {
            var r0 = source.Row(_yRow0[dy]);
            var r1 = source.Row(_yRow1[dy]);
            int wy0 = _yWeight0[dy], wy1 = _yWeight1[dy];
            int rowStart = ((g.OffsetY + dy) * Width) + g.OffsetX;
            for (int dx = 0; dx < g.ResizedWidth; dx++)
            {
                int x0 = _xOffset0[dx], x1 = _xOffset1[dx];
                int wx0 = _xWeight0[dx], wx1 = _xWeight1[dx];
                for (int p = 0; p < 3; p++)
                {
                    int c = _sourceChannel[p];
                    int top = (r0[x0 + c] * wx0) + (r0[x1 + c] * wx1);
                    int bottom = (r1[x0 + c] * wx0) + (r1[x1 + c] * wx1);
                    float v = VerticalLinear(top >> 4, bottom >> 4, wy0, wy1);
                    chw[(p * plane) + rowStart + dx] = (v * _alpha[p]) + _beta[p];
                }
            }
        }
    }

    private void ScalarArea(BgrImage source, Span<float> chw, in InputGeometry g)
    {
        int plane = Width * Height;
        for (int dy = 0; dy < g.ResizedHeight; dy++)
        {
            int rowStart = ((g.OffsetY + dy) * Width) + g.OffsetX;
            for (int dx = 0; dx < g.ResizedWidth; dx++)
            {
                for (int p = 0; p < 3; p++)
                {
                    int c = _sourceChannel[p];
                    float sum = 0f;
                    for (int ky = _yAreaBegin[dy]; ky < _yAreaBegin[dy + 1]; ky++)
                    {
                        var row = source.Row(_yAreaIndex[ky]);
                        float line = 0f;
                        for (int kx = _xAreaBegin[dx]; kx < _xAreaBegin[dx + 1]; kx++)
                        {
                            line += row[(_xAreaIndex[kx] * 3) + c] * _xAreaWeight[kx];
                        }

                        sum += line * _yAreaWeight[ky];
                    }

                    float v = MathF.Round(sum);
                    chw[(p * plane) + rowStart + dx] = (v * _alpha[p]) + _beta[p];
                }
            }
        }
    }
}
