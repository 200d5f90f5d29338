using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using EdgeSentry.Capture;

namespace EdgeSentry.Detection;

// The vectorised path, separable like OpenCV's own resize: each source row is resampled horizontally once
// into a planar row buffer (AVX2 gathers pick 8 pixels' taps at a time), then 8 output pixels per step are
// blended vertically, rounded, normalised and stored straight into the three tensor planes. Integer and
// float operations are the same, in the same order, as the scalar reference, so both produce identical
// tensors (the tests compare them).
public sealed partial class FramePreprocessor
{
    private readonly int[] _rowInt0;
    private readonly int[] _rowInt1;
    private readonly float[] _rowFloat;
    private readonly float[] _rowAccumulator;
    private int _cachedRow0 = -1;
    private int _cachedRow1 = -1;

    /// <summary>True when this CPU runs the SIMD path (256-bit vectors and AVX2 gathers).</summary>
    public static bool IsVectorised => Vector256.IsHardwareAccelerated && Avx2.IsSupported;

    /// <summary>Fills <paramref name="chw"/> from <paramref name="source"/>; returns where the frame landed.</summary>
    public InputGeometry Run(BgrImage source, Span<float> chw)
    {
        if (!IsVectorised)
        {
            return RunScalar(source, chw);
        }

        var g = Prepare(source, chw);
        FillPadding(chw, g);
        if (UsesBilinear(g))
        {
            VectorBilinear(source, chw, g);
        }
        else
        {
            VectorArea(source, chw, g);
        }

        return g;
    }

    private void VectorBilinear(BgrImage source, Span<float> chw, in InputGeometry g)
    {
        int plane = Width * Height;
        int rw = g.ResizedWidth;
        var rows0 = _rowInt0;
        var rows1 = _rowInt1;

        // Rows cached from the previous frame came from other pixels.
        _cachedRow0 = _cachedRow1 = -1;
        for (int dy = 0; dy < g.ResizedHeight; dy++)
        {
            int sy0 = _yRow0[dy], sy1 = _yRow1[dy];
            if (_cachedRow0 != sy0)
            {
                if (_cachedRow1 == sy0)
                {
                    (rows0, rows1) = (rows1, rows0);
                    _cachedRow0 = sy0;
                    _cachedRow1 = -1;
                }
                else
                {
                    HorizontalLinear(source, sy0, rw, rows0);
                    _cachedRow0 = sy0;
                }
            }

            if (_cachedRow1 != sy1)
            {
                if (sy1 == sy0)
                {
                    rows0.AsSpan(0, 3 * rw).CopyTo(rows1);
                }
                else
                {
                    HorizontalLinear(source, sy1, rw, rows1);
                }

                _cachedRow1 = sy1;
            }

            var w0 = Vector256.Create(_yWeight0[dy]);
            var w1 = Vector256.Create(_yWeight1[dy]);
            int rowStart = ((g.OffsetY + dy) * Width) + g.OffsetX;
            for (int p = 0; p < 3; p++)
            {
                var top = rows0.AsSpan(p * rw, rw);
                var bottom = rows1.AsSpan(p * rw, rw);
                var dst = chw.Slice((p * plane) + rowStart, rw);
                var a = Vector256.Create(_alpha[p]);
                var b = Vector256.Create(_beta[p]);
                int x = 0;
                for (; x <= rw - 8; x += 8)
                {
                    var t = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(top), (nuint)x);
                    var u = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(bottom), (nuint)x);
                    var sum = Vector256.ShiftRightArithmetic(t * w0, 16) + Vector256.ShiftRightArithmetic(u * w1, 16) + Vector256.Create(2);

                    // No clamp needed: h <= 255*2048>>4 and w0 + w1 <= 2049 keep the result within 0..255.
                    var v = Vector256.ConvertToSingle(Vector256.ShiftRightArithmetic(sum, 2));
                    ((v * a) + b).StoreUnsafe(ref MemoryMarshal.GetReference(dst), (nuint)x);
                }

                for (; x < rw; x++)
                {
                    dst[x] = (VerticalLinear(top[x], bottom[x], _yWeight0[dy], _yWeight1[dy]) * _alpha[p]) + _beta[p];
                }
            }
        }
    }

    // One source row into three planar rows of horizontal sums, pre-shifted by 4 for the vertical pass.
    private unsafe void HorizontalLinear(BgrImage source, int sy, int rw, int[] planes)
    {
        ReadOnlySpan<byte> all = source.Pixels;
        int rowStart = sy * source.Stride;

        // A gather reads 4 bytes at a 3-byte pixel: stop vectorising where that would pass the buffer's end.
        int readable = all.Length - rowStart;
        int c0 = _sourceChannel[0] * 8, c1 = _sourceChannel[1] * 8, c2 = _sourceChannel[2] * 8;
        var mask = Vector256.Create(0xFF);
        int x = 0;
        fixed (byte* basePtr = all)
        fixed (int* ofs0 = _xOffset0, ofs1 = _xOffset1, pairs = _xWeightPair, outp = planes)
        {
            int* bytes = (int*)(basePtr + rowStart);
            for (; x <= rw - 8 && ofs1[x + 7] + 4 <= readable; x += 8)
            {
                var p0 = Avx2.GatherVector256(bytes, Avx.LoadVector256(ofs0 + x), 1);
                var p1 = Avx2.GatherVector256(bytes, Avx.LoadVector256(ofs1 + x), 1);
                var k = Avx.LoadVector256(pairs + x).AsInt16();
                Store(outp + x, p0, p1, k, c0, mask);
                Store(outp + rw + x, p0, p1, k, c1, mask);
                Store(outp + (2 * rw) + x, p0, p1, k, c2, mask);
            }
        }

        var row = all.Slice(rowStart);
        for (; x < rw; x++)
        {
            int x0 = _xOffset0[x], x1 = _xOffset1[x], k0 = _xWeight0[x], k1 = _xWeight1[x];
            for (int p = 0; p < 3; p++)
            {
                int c = _sourceChannel[p];
                planes[(p * rw) + x] = ((row[x0 + c] * k0) + (row[x1 + c] * k1)) >> 4;
            }
        }
    }

    // Puts each pixel's two taps of one channel in the 16-bit halves of its lane, so one pmaddwd against the
    // (w0, w1) pairs forms t0*w0 + t1*w1 (the same integer the scalar reference computes).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(int* dst, Vector256<int> p0, Vector256<int> p1, Vector256<short> weightPairs, int shift, Vector256<int> mask)
    {
        var taps = (Vector256.ShiftRightLogical(p0, shift) & mask) | Vector256.ShiftLeft(Vector256.ShiftRightLogical(p1, shift) & mask, 16);
        Vector256.ShiftRightArithmetic(Avx2.MultiplyAddAdjacent(taps.AsInt16(), weightPairs), 4).Store(dst);
    }

    // The horizontal area taps again, padded to the same count per column and stored tap-major, so 8 columns
    // load each tap's offsets and weights contiguously. Padding taps repeat the last offset with weight 0,
    // which adds an exact 0 and keeps the sums equal to the scalar reference's.
    private int _areaTaps;
    private int[] _areaTapOffset = [];
    private float[] _areaTapWeight = [];
    private int[] _areaMaxOffset = [];
    private int _cachedAreaRow = -1;

    private void BuildPaddedAreaTaps(int rw)
    {
        _areaTaps = 1;
        for (int dx = 0; dx < rw; dx++)
        {
            _areaTaps = Math.Max(_areaTaps, _xAreaBegin[dx + 1] - _xAreaBegin[dx]);
        }

        if (_areaTapOffset.Length < _areaTaps * Width)
        {
            // Only when a source size needs more taps than any before; steady-state frames reuse the tables.
            _areaTapOffset = new int[_areaTaps * Width];
            _areaTapWeight = new float[_areaTaps * Width];
            _areaMaxOffset = new int[Width];
        }

        for (int dx = 0; dx < rw; dx++)
        {
            int begin = _xAreaBegin[dx], count = _xAreaBegin[dx + 1] - begin;
            int last = _xAreaIndex[begin + count - 1] * 3;
            _areaMaxOffset[dx] = 0;
            for (int k = 0; k < _areaTaps; k++)
            {
                int offset = k < count ? _xAreaIndex[begin + k] * 3 : last;
                _areaTapOffset[(k * Width) + dx] = offset;
                _areaTapWeight[(k * Width) + dx] = k < count ? _xAreaWeight[begin + k] : 0f;
                _areaMaxOffset[dx] = Math.Max(_areaMaxOffset[dx], offset);
            }
        }
    }

    private void VectorArea(BgrImage source, Span<float> chw, in InputGeometry g)
    {
        int plane = Width * Height;
        int rw = g.ResizedWidth;
        var line = _rowFloat.AsSpan(0, 3 * rw);
        var acc = _rowAccumulator.AsSpan(0, 3 * rw);

        // Consecutive output rows share the source row on their boundary; keep the last one resampled.
        _cachedAreaRow = -1;
        for (int dy = 0; dy < g.ResizedHeight; dy++)
        {
            acc.Clear();
            for (int ky = _yAreaBegin[dy]; ky < _yAreaBegin[dy + 1]; ky++)
            {
                int sy = _yAreaIndex[ky];
                if (sy != _cachedAreaRow)
                {
                    HorizontalArea(source, sy, rw, line);
                    _cachedAreaRow = sy;
                }

                var wy = Vector256.Create(_yAreaWeight[ky]);
                int i = 0;
                for (; i <= line.Length - 8; i += 8)
                {
                    var sum = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(acc), (nuint)i)
                        + (Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(line), (nuint)i) * wy);
                    sum.StoreUnsafe(ref MemoryMarshal.GetReference(acc), (nuint)i);
                }

                for (; i < line.Length; i++)
                {
                    acc[i] += line[i] * _yAreaWeight[ky];
                }
            }

            int rowStart = ((g.OffsetY + dy) * Width) + g.OffsetX;
            for (int p = 0; p < 3; p++)
            {
                var src = acc.Slice(p * rw, rw);
                var dst = chw.Slice((p * plane) + rowStart, rw);
                var a = Vector256.Create(_alpha[p]);
                var b = Vector256.Create(_beta[p]);
                int x = 0;
                for (; x <= rw - 8; x += 8)
                {
                    var v = Vector256.Round(Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(src), (nuint)x));
                    ((v * a) + b).StoreUnsafe(ref MemoryMarshal.GetReference(dst), (nuint)x);
                }

                for (; x < rw; x++)
                {
                    dst[x] = (MathF.Round(src[x]) * _alpha[p]) + _beta[p];
                }
            }
        }
    }

    private unsafe void HorizontalArea(BgrImage source, int sy, int rw, Span<float> planes)
    {
        ReadOnlySpan<byte> all = source.Pixels;
        int rowStart = sy * source.Stride;
        int readable = all.Length - rowStart;
        int c0 = _sourceChannel[0] * 8, c1 = _sourceChannel[1] * 8, c2 = _sourceChannel[2] * 8;
        var mask = Vector256.Create(0xFF);
        int x = 0;
        fixed (byte* basePtr = all)
        fixed (int* offsets = _areaTapOffset, maxOffset = _areaMaxOffset)
        fixed (float* weights = _areaTapWeight, outp = planes)
        {
            int* bytes = (int*)(basePtr + rowStart);
            for (; x <= rw - 8 && maxOffset[x + 7] + 4 <= readable; x += 8)
            {
                var s0 = Vector256<float>.Zero;
                var s1 = Vector256<float>.Zero;
                var s2 = Vector256<float>.Zero;
                for (int k = 0; k < _areaTaps; k++)
                {
                    var px = Avx2.GatherVector256(bytes, Avx.LoadVector256(offsets + (k * Width) + x), 1);
                    var w = Avx.LoadVector256(weights + (k * Width) + x);
                    s0 += Vector256.ConvertToSingle(Vector256.ShiftRightLogical(px, c0) & mask) * w;
                    s1 += Vector256.ConvertToSingle(Vector256.ShiftRightLogical(px, c1) & mask) * w;
                    s2 += Vector256.ConvertToSingle(Vector256.ShiftRightLogical(px, c2) & mask) * w;
                }

                s0.Store(outp + x);
                s1.Store(outp + rw + x);
                s2.Store(outp + (2 * rw) + x);
            }
        }

        var row = all.Slice(rowStart);
        for (; x < rw; x++)
        {
            float s0 = 0f, s1 = 0f, s2 = 0f;
            for (int k = 0; k < _areaTaps; k++)
            {
                int o = _areaTapOffset[(k * Width) + x];
                float w = _areaTapWeight[(k * Width) + x];
                s0 += row[o + _sourceChannel[0]] * w;
                s1 += row[o + _sourceChannel[1]] * w;
                s2 += row[o + _sourceChannel[2]] * w;
            }

            planes[x] = s0;
            planes[rw + x] = s1;
            planes[(2 * rw) + x] = s2;
        }
    }
}
