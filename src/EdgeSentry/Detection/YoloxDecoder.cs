using EdgeSentry.Native.OnnxRuntime;

namespace EdgeSentry.Detection;

/// <summary>
/// YOLOX head: one output [1, anchors, 5 + classes] with rows (tx, ty, tw, th, obj, p0..pN) over the stride
/// grids (stride 8 first, each level row-major). obj and p are already sigmoid-ed in the graph; the box
/// terms are raw: cx = (tx + gx) * s, w = exp(tw) * s. Score = obj * p_c per class, then class-wise NMS.
/// </summary>
internal sealed class YoloxDecoder : IFamilyDecoder
{
    private readonly OrtTensor<float> output;
    private readonly float[] gridX;
    private readonly float[] gridY;
    private readonly float[] gridStride;
    private readonly int classes;
    private readonly int rowLength;
    private readonly DetectionFilter filter;
    private readonly bool classWise;
    private readonly float nmsIou;
    private readonly CandidateBuffer candidates;

    public YoloxDecoder(FamilyContext context)
    {
        var m = context.Manifest;
        classes = m.Classes;
        rowLength = 5 + classes;
        int anchors = 0;
        foreach (int s in m.Decoder.Strides)
        {
            anchors += (m.Input.Width / s) * (m.Input.Height / s);
        }

        long[] expected = [1, anchors, rowLength];
        string expectation = $"yolox expects one float output [{string.Join(",", expected)}] (strides {string.Join("/", m.Decoder.Strides)} over {m.Input.Width}x{m.Input.Height}, {classes} classes)";
        if (context.Session.Outputs.Count != 1
            || context.Session.Outputs[0].ElementType != OrtElementType.Float
            || !FamilyContext.ShapeMatches(context.Session.Outputs[0].Shape, expected))
        {
            throw context.Mismatch(expectation);
        }

        gridX = new float[anchors];
        gridY = new float[anchors];
        gridStride = new float[anchors];
        int a = 0;
        foreach (int s in m.Decoder.Strides)
        {
            int gw = m.Input.Width / s, gh = m.Input.Height / s;
            for (int y = 0; y < gh; y++)
            {
                for (int x = 0; x < gw; x++)
                {
                    gridX[a] = x;
                    gridY[a] = y;
                    gridStride[a] = s;
                    a++;
                }
            }
        }

        filter = context.Filter;
        classWise = !context.Options.ClassAgnosticNms;
        nmsIou = context.Options.NmsIouThreshold ?? m.Decoder.NmsIou ?? 0.45f;
        candidates = new CandidateBuffer(context.Options.MaxCandidates);
        output = OrtTensor<float>.Create(expected);
        context.Binding.BindOutput(context.Session.Outputs[0].Name, output);
    }

    public void BeforeRun(in InputGeometry geometry)
    {
    }

    public int Decode(in InputGeometry geometry, Span<Detection> results)
    {
        ReadOnlySpan<float> rows = output.Span;
        candidates.Clear();
        for (int a = 0; a < gridX.Length; a++)
        {
            var row = rows.Slice(a * rowLength, rowLength);
            float obj = row[4];

            // score = obj * p <= obj, so a weak objectness rules the whole row out cheaply.
            if (obj < filter.Lowest)
            {
                continue;
            }

            float s = gridStride[a];
            float cx = (row[0] + gridX[a]) * s;
            float cy = (row[1] + gridY[a]) * s;
            float hw = MathF.Exp(row[2]) * s * 0.5f;
            float hh = MathF.Exp(row[3]) * s * 0.5f;
            var box = geometry.ToSourceUnclipped(cx - hw, cy - hh, cx + hw, cy + hh);
            var probabilities = row[5..];
            for (int c = 0; c < probabilities.Length; c++)
            {
                float score = obj * probabilities[c];
                if (filter.Passes(c, score))
                {
                    candidates.Add(new Detection(c, score, box));
                }
            }
        }

        int kept = NonMaxSuppression.Apply(candidates.Span, nmsIou, classWise);
        return filter.Emit(candidates.Span[..kept], geometry, results);
    }

    public void Dispose() => output.Dispose();
}
