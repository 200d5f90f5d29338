using System.Numerics;
using System.Runtime.InteropServices;
using EdgeSentry.Capture;

namespace EdgeSentry.Motion;

// The vectorised path. The heavy part is reading the frame: every source byte is widened and added into
// per-column sums, Vector<byte>.Count bytes at a time (BGR interleaving does not matter there, a cell sums
// all three channels). The block reduction that follows touches 1/f of the data and is shared with the
// scalar reference. The background comparison runs over int lanes with the same fixed-point operations,
// in the same order, as the scalar reference, so both give identical counts and backgrounds.
public sealed partial class MotionDetector
{
    /// <summary>True when <see cref="Measure"/> takes the SIMD path on this CPU.</summary>
    public static bool IsVectorised => Vector.IsHardwareAccelerated && Vector<byte>.Count >= 16;

    private void ShrinkVector(BgrImage image)
    {
        var sums = _columnSums.AsSpan();
        var wide = MemoryMarshal.Cast<ushort, Vector<ushort>>(sums);
        int n = Vector<byte>.Count;
        for (int gy = 0; gy < _gridHeight; gy++)
        {
            sums.Clear();
            for (int r = 0; r < _factor; r++)
            {
                var row = image.Row((gy * _factor) + r)[..sums.Length];
                int i = 0;
                for (int v = 0; i + n <= row.Length; i += n, v += 2)
                {
                    Vector.Widen(new Vector<byte>(row.Slice(i, n)), out var lo, out var hi);
                    wide[v] += lo;
                    wide[v + 1] += hi;
                }

                for (; i < row.Length; i++)
                {
                    sums[i] += row[i];
                }
            }

            ReduceRow(gy);
        }
    }

    private int CompareVector(int threshold, int rate)
    {
        int n = Vector<int>.Count;
        int cells = _grey.Length;
        int whole = cells - (cells % n);
        var grey = MemoryMarshal.Cast<int, Vector<int>>(_grey.AsSpan(0, whole));
        var background = MemoryMarshal.Cast<int, Vector<int>>(_background.AsSpan(0, whole));
        var active = MemoryMarshal.Cast<int, Vector<int>>(_active.AsSpan(0, whole));

        // Cell values stay below 2^16 and grids below 2^15 cells, so int lanes cannot overflow.
        var greyLanes = Vector<int>.Zero;
        var backgroundLanes = Vector<int>.Zero;
        for (int v = 0; v < grey.Length; v++)
        {
            greyLanes += grey[v] & active[v];
            backgroundLanes += background[v] & active[v];
        }

        long greySum = Vector.Sum(greyLanes);
        long backgroundSum = Vector.Sum(backgroundLanes);
        for (int i = whole; i < cells; i++)
        {
            greySum += _grey[i] & _active[i];
            backgroundSum += _background[i] & _active[i];
        }

        int gain = Gain(greySum, backgroundSum);
        var gainV = new Vector<int>(gain);
        var rateV = new Vector<int>(rate);
        var thresholdV = new Vector<int>(threshold);
        var changedLanes = Vector<int>.Zero;
        for (int v = 0; v < grey.Length; v++)
        {
            var g = grey[v];
            var b = background[v];
            var normalised = Vector.ShiftRightArithmetic(g * gainV, FixedShift);
            // Comparisons give -1 per true lane: subtracting counts them.
            changedLanes -= Vector.GreaterThan(Vector.Abs(normalised - b), thresholdV) & active[v];
            background[v] = b + Vector.ShiftRightArithmetic((g - b) * rateV, FixedShift);
        }

        int changed = Vector.Sum(changedLanes);
        for (int i = whole; i < cells; i++)
        {
            int g = _grey[i];
            int b = _background[i];
            int normalised = (g * gain) >> FixedShift;
            if (Math.Abs(normalised - b) > threshold && _active[i] != 0)
            {
                changed++;
            }

            _background[i] = b + (((g - b) * rate) >> FixedShift);
        }

        return changed;
    }
}
