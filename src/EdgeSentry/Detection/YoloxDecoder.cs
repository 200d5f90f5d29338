using Microsoft.ML.OnnxRuntime.Tensors;

namespace EdgeSentry.Detection;

/// <summary>
/// YOLOX head: one output [1, anchors, 5 + classes] with rows (tx, ty, tw, th, obj, p0..pN) over the stride
/// grids (stride 8 first, each level row-major). obj and p are already sigmoid-ed in the graph; the box
/// terms are raw: cx = (tx + gx) * s, w = exp(tw) * s. Score = obj * p_c per class, then class-wise NMS.
/// </summary>
internal sealed class YoloxDecoder : IFamilyDecoder
{
    private readonly PinnedTensor<float> _output;
    private readonly float[] _gridX;
    private readonly float[] _gridY;
    private readonly float[] _gridStride;
    private readonly int _classes;
    private readonly int _rowLength;
    private readonly DetectionFilter _filter;
    private readonly bool _classWise;
    private readonly float _nmsIou;
    private readonly CandidateBuffer _candidates;

    public YoloxDecoder(FamilyContext context)
    {
        var m = context.Manifest;
        _classes = m.Classes;
        _rowLength = 5 + _classes;
        int anchors = 0;
        foreach (int s in m.Decoder.Strides)
        {
            anchors += (m.Input.Width / s) * (m.Input.Height / s);
        }

        long[] expected = [1, anchors, _rowLength];
        string expectation = $"yolox expects one float output [{string.Join(",", expected)}] (strides {string.Join("/", m.Decoder.Strides)} over {m.Input.Width}x{m.Input.Height}, {_classes} classes)";
        if (context.Session.Outputs.Count != 1
            || context.Session.Outputs[0].ElementType != TensorElementType.Float
            || !FamilyContext.ShapeMatches(context.Session.Outputs[0].Shape, expected))
        {
            throw context.Mismatch(expectation);
        }

        _gridX = new float[anchors];
        _gridY = new float[anchors];
        _gridStride = new float[anchors];
        int a = 0;
        foreach (int s in m.Decoder.Strides)
        {
            int gw = m.Input.Width / s, gh = m.Input.Height / s;
            for (int y = 0; y < gh; y++)
            {
                for (int x = 0; x < gw; x++)
                {
                    _gridX[a] = x;
                    _gridY[a] = y;
                    _gridStride[a] = s;
                    a++;
                }
            }
        }

        _filter = context.Filter;
        _classWise = !context.Options.ClassAgnosticNms;
        _nmsIou = context.Options.NmsIouThreshold ?? m.Decoder.NmsIou ?? 0.45f;
        _candidates = new CandidateBuffer(context.Options.MaxCandidates);
        _output = PinnedTensor<float>.Create(expected);
        context.Binding.BindOutput(context.Session.Outputs[0].Name, _output.Value);
    }

    public void BeforeRun(in InputGeometry geometry)
    {
    }

    public int Decode(in InputGeometry geometry, Span<Detection> results)
    {
        ReadOnlySpan<float> rows = _output.Span;
        _candidates.Clear();
        for (int a = 0; a < _gridX.Length; a++)
        {
            var row = rows.Slice(a * _rowLength, _rowLength);
            float obj = row[4];

            // score = obj * p <= obj, so a weak objectness rules the whole row out cheaply.
            if (obj < _filter.Lowest)
            {
                continue;
            }

            float s = _gridStride[a];
            float cx = (row[0] + _gridX[a]) * s;
            float cy = (row[1] + _gridY[a]) * s;
            float hw = MathF.Exp(row[2]) * s * 0.5f;
            float hh = MathF.Exp(row[3]) * s * 0.5f;
            var box = geometry.ToSourceUnclipped(cx - hw, cy - hh, cx + hw, cy + hh);
            var probabilities = row[5..];
            for (int c = 0; c < probabilities.Length; c++)
            {
                float score = obj * probabilities[c];
                if (_filter.Passes(c, score))
                {
                    _candidates.Add(new Detection(c, score, box));
                }
            }
        }

        int kept = NonMaxSuppression.Apply(_candidates.Span, _nmsIou, _classWise);
        return _filter.Emit(_candidates.Span[..kept], geometry, results);
    }

    public void Dispose() => _output.Dispose();
}
