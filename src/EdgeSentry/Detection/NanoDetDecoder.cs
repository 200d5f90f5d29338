using System.Runtime.Intrinsics;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace EdgeSentry.Detection;

/// <summary>
/// Legacy NanoDet (GFL) head: per stride a class tensor [1, cells, classes] (already sigmoid-ed) and a
/// distribution tensor [1, cells, 4 * (regMax + 1)]. Score = best class; each side's distance is the expected
/// bin under a softmax over its bins, times the stride, from the cell centre (x + 0.5) * s. Class-wise NMS.
/// </summary>
internal sealed class NanoDetDecoder : IFamilyDecoder
{
    private readonly Level[] _levels;
    private readonly int _classes;
    private readonly int _bins;
    private readonly DetectionFilter _filter;
    private readonly bool _classWise;
    private readonly float _nmsIou;
    private readonly CandidateBuffer _candidates;
    private readonly float[] _softmax;

    public NanoDetDecoder(FamilyContext context)
    {
        var m = context.Manifest;
        _classes = m.Classes;
        _bins = m.Decoder.RegMax + 1;
        var outputs = context.Session.Outputs;
        string expectation = $"nanodet expects per stride ({string.Join("/", m.Decoder.Strides)}) a float class output [1, cells, {_classes}] " +
            $"and a float distribution output [1, cells, {4 * _bins}] over {m.Input.Width}x{m.Input.Height}";
        if (outputs.Count != 2 * m.Decoder.Strides.Length)
        {
            throw context.Mismatch(expectation);
        }

        _levels = new Level[m.Decoder.Strides.Length];
        var used = new bool[outputs.Count];
        for (int l = 0; l < _levels.Length; l++)
        {
            int s = m.Decoder.Strides[l];
            int gw = m.Input.Width / s, gh = m.Input.Height / s;
            long[] clsShape = [1, gw * gh, _classes];
            long[] disShape = [1, gw * gh, 4 * _bins];
            int cls = FindOutput(outputs, used, clsShape);
            int dis = FindOutput(outputs, used, disShape);
            if (cls < 0 || dis < 0)
            {
                throw context.Mismatch(expectation);
            }

            var clsTensor = PinnedTensor<float>.Create(clsShape);
            var disTensor = PinnedTensor<float>.Create(disShape);
            context.Binding.BindOutput(outputs[cls].Name, clsTensor.Value);
            context.Binding.BindOutput(outputs[dis].Name, disTensor.Value);
            _levels[l] = new Level(s, gw, gh, clsTensor, disTensor);
        }

        _filter = context.Filter;
        _classWise = !context.Options.ClassAgnosticNms;
        _nmsIou = context.Options.NmsIouThreshold ?? m.Decoder.NmsIou ?? 0.6f;
        _candidates = new CandidateBuffer(context.Options.MaxCandidates);
        _softmax = new float[_bins];
    }

    public void BeforeRun(in InputGeometry geometry)
    {
    }

    public int Decode(in InputGeometry geometry, Span<Detection> results)
    {
        _candidates.Clear();
        foreach (var level in _levels)
        {
            ReadOnlySpan<float> scores = level.Classes.Span;
            ReadOnlySpan<float> distances = level.Distances.Span;
            for (int cell = 0; cell < level.Width * level.Height; cell++)
            {
                var row = scores.Slice(cell * _classes, _classes);

                // Most cells score nothing: reject them on a SIMD max before looking for the best class.
                if (Max(row) < _filter.Lowest)
                {
                    continue;
                }

                int best = 0;
                for (int c = 1; c < row.Length; c++)
                {
                    if (row[c] > row[best])
                    {
                        best = c;
                    }
                }

                if (!_filter.Passes(best, row[best]))
                {
                    continue;
                }

                var dist = distances.Slice(cell * 4 * _bins, 4 * _bins);
                float s = level.Stride;
                float cx = ((cell % level.Width) + 0.5f) * s;
                float cy = ((cell / level.Width) + 0.5f) * s;
                float left = Expected(dist[.._bins]) * s;
                float top = Expected(dist.Slice(_bins, _bins)) * s;
                float right = Expected(dist.Slice(2 * _bins, _bins)) * s;
                float bottom = Expected(dist.Slice(3 * _bins, _bins)) * s;
                _candidates.Add(new Detection(best, row[best], geometry.ToSourceUnclipped(cx - left, cy - top, cx + right, cy + bottom)));
            }
        }

        int kept = NonMaxSuppression.Apply(_candidates.Span, _nmsIou, _classWise);
        return _filter.Emit(_candidates.Span[..kept], geometry, results);
    }

    public void Dispose()
    {
        foreach (var level in _levels)
        {
            level.Classes.Dispose();
            level.Distances.Dispose();
        }
    }

    private static float Max(ReadOnlySpan<float> values)
    {
        int i = 0;
        float max = float.NegativeInfinity;
        if (Vector256.IsHardwareAccelerated && values.Length >= Vector256<float>.Count)
        {
            var m = Vector256.Create(float.NegativeInfinity);
            for (; i <= values.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                m = Vector256.Max(m, Vector256.Create(values.Slice(i, Vector256<float>.Count)));
            }

            for (int k = 0; k < Vector256<float>.Count; k++)
            {
                max = MathF.Max(max, m[k]);
            }
        }

        for (; i < values.Length; i++)
        {
            max = MathF.Max(max, values[i]);
        }

        return max;
    }

    private float Expected(ReadOnlySpan<float> logits)
    {
        float max = logits[0];
        for (int i = 1; i < logits.Length; i++)
        {
            max = MathF.Max(max, logits[i]);
        }

        float sum = 0f;
        for (int i = 0; i < logits.Length; i++)
        {
            _softmax[i] = MathF.Exp(logits[i] - max);
            sum += _softmax[i];
        }

        float expected = 0f;
        for (int i = 0; i < logits.Length; i++)
        {
            expected += i * _softmax[i];
        }

        return expected / sum;
    }

    private static int FindOutput(IReadOnlyList<TensorInfo> outputs, bool[] used, long[] shape)
    {
        for (int i = 0; i < outputs.Count; i++)
        {
            if (!used[i] && outputs[i].ElementType == TensorElementType.Float && FamilyContext.ShapeMatches(outputs[i].Shape, shape))
            {
                used[i] = true;
                return i;
            }
        }

        return -1;
    }

    private sealed record Level(int Stride, int Width, int Height, PinnedTensor<float> Classes, PinnedTensor<float> Distances);
}
