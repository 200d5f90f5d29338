using EdgeSentry.Capture;
using EdgeSentry.Rules;

namespace EdgeSentry.Motion;

/// <summary>
/// A cheap per-camera motion measure. Each frame is shrunk to a small grey grid in one pass (the mean of
/// B, G and R over f x f blocks, which also averages sensor noise away), compared with a background that
/// adapts as a running average, and the share of unmasked grid cells that differ by more than a threshold
/// is the frame's motion. Before comparing, the frame is scaled to the background's mean brightness, so a
/// global light change (clouds, auto-exposure, a slow dusk) is not motion; the background then catches up
/// with the raw frame at the configured time constant.
/// </summary>
/// <remarks>
/// All arithmetic is integer and fixed-point (grey in 1/256 levels, gain and rate in 1/4096), so the
/// vectorised path and the scalar reference give identical results, which the tests check on real footage.
/// Single-threaded: one camera's reader thread calls <see cref="Measure"/>. Buffers are sized once for the
/// frame size; a frame of another size re-sizes them (decoders pin the size, so that is a one-off).
/// </remarks>
public sealed partial class MotionDetector
{
    /// <summary>Fixed-point unit of gain and blend rate.</summary>
    internal const int FixedOne = 4096;
    internal const int FixedShift = 12;

    private readonly MotionOptions _options;
    private readonly IReadOnlyList<ZoneDefinition> _masks;
    private int _frameWidth;
    private int _frameHeight;
    private int _factor;
    private int _gridWidth;
    private int _gridHeight;
    private long _greyScale;
    private ushort[] _columnSums = [];
    private int[] _grey = [];
    private int[] _background = [];
    // -1 where the cell counts, 0 under a mask: ANDed with comparison results (which are -1/0 per lane).
    private int[] _active = [];
    private int _activeCells;
    private bool _hasBackground;
    private double _lastPts;

    public MotionDetector(MotionOptions options, IReadOnlyList<ZoneDefinition>? masks = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _masks = masks ?? [];
    }

    public int GridWidth => _gridWidth;
    public int GridHeight => _gridHeight;

    /// <summary>Grid cells outside every mask.</summary>
    public int ActiveCells => _activeCells;

    /// <summary>Changed cells in the last measured frame.</summary>
    public int ChangedCells { get; private set; }

    /// <summary>The small grey copy of the last frame, 1/256 grey levels (diagnostics and tests).</summary>
    public ReadOnlySpan<int> Grey => _grey;

    /// <summary>The background, 1/256 grey levels (diagnostics and tests).</summary>
    public ReadOnlySpan<int> Background => _background;

    /// <summary>Forget the background (a camera restarted on another picture).</summary>
    public void Reset() => _hasBackground = false;

    /// <summary>Measures <paramref name="image"/> against the background and updates it; returns the changed share of the unmasked picture (0-1).</summary>
    public double Measure(BgrImage image, double ptsSeconds) => Run(image, ptsSeconds, IsVectorised);

    /// <summary>The scalar reference of <see cref="Measure"/>.</summary>
    public double MeasureScalar(BgrImage image, double ptsSeconds) => Run(image, ptsSeconds, vectorised: false);

    private double Run(BgrImage image, double ptsSeconds, bool vectorised)
    {
        if (image.Width != _frameWidth || image.Height != _frameHeight)
        {
            Resize(image.Width, image.Height);
        }

        if (vectorised)
        {
            ShrinkVector(image);
        }
        else
        {
            ShrinkScalar(image);
        }

        if (!_hasBackground)
        {
            _grey.CopyTo(_background, 0);
            _hasBackground = true;
            _lastPts = ptsSeconds;
            ChangedCells = 0;
            return 0;
        }

        int rate = BlendRate(ptsSeconds - _lastPts);
        _lastPts = ptsSeconds;
        int threshold = (int)Math.Round(_options.PixelThreshold * 256);
        ChangedCells = vectorised ? CompareVector(threshold, rate) : CompareScalar(threshold, rate);
        return _activeCells == 0 ? 0 : (double)ChangedCells / _activeCells;
    }

    /// <summary>The running average's weight for a frame <paramref name="seconds"/> after the previous one: 1 - e^(-dt/tau).</summary>
    private int BlendRate(double seconds)
    {
        double dt = Math.Clamp(seconds, 0, 10);
        double alpha = 1 - Math.Exp(-dt / _options.BackgroundSeconds);
        return Math.Clamp((int)Math.Round(alpha * FixedOne), 1, FixedOne);
    }

    /// <summary>Frame mean brightness over background mean brightness, fixed-point, kept within 1/4..4.</summary>
    private static int Gain(long greySum, long backgroundSum) =>
        greySum <= 0 ? FixedOne : (int)Math.Clamp((backgroundSum * FixedOne) / greySum, FixedOne / 4, FixedOne * 4);

    private void Resize(int width, int height)
    {
        _frameWidth = width;
        _frameHeight = height;
        int longSide = Math.Max(width, height);
        _factor = Math.Max(1, (longSide + _options.GridSize - 1) / _options.GridSize);
        _gridWidth = Math.Max(1, width / _factor);
        _gridHeight = Math.Max(1, height / _factor);
        // Cells hold the sum of 3 f^2 bytes; scaled to 1/256 grey levels with one multiply and shift.
        _greyScale = (256L << 24) / (3L * _factor * _factor);
        _columnSums = new ushort[_gridWidth * _factor * 3];
        int cells = _gridWidth * _gridHeight;
        _grey = new int[cells];
        _background = new int[cells];
        _active = new int[cells];
        _activeCells = 0;
        var polygons = _masks.Select(m => (Xs: m.Polygon.Select(p => p[0]).ToArray(), Ys: m.Polygon.Select(p => p[1]).ToArray())).ToList();
        for (int gy = 0; gy < _gridHeight; gy++)
        {
            double y = (gy + 0.5) / _gridHeight;
            for (int gx = 0; gx < _gridWidth; gx++)
            {
                double x = (gx + 0.5) / _gridWidth;
                bool masked = false;
                foreach (var (xs, ys) in polygons)
                {
                    if (PlaneGeometry.ContainsPoint(xs, ys, x, y))
                    {
                        masked = true;
                        break;
                    }
                }

                _active[(gy * _gridWidth) + gx] = masked ? 0 : -1;
                _activeCells += masked ? 0 : 1;
            }
        }

        _hasBackground = false;
    }

    /// <summary>The block sums of one grid row (column sums already accumulated) into grey cells. Shared by both paths.</summary>
    private void ReduceRow(int gy)
    {
        int span = _factor * 3;
        var sums = _columnSums.AsSpan();
        var grey = _grey.AsSpan(gy * _gridWidth, _gridWidth);
        for (int gx = 0; gx < _gridWidth; gx++)
        {
            var block = sums.Slice(gx * span, span);
            int total = 0;
            for (int i = 0; i < block.Length; i++)
            {
                total += block[i];
            }

            grey[gx] = (int)((total * _greyScale) >> 24);
        }
    }

    private void ShrinkScalar(BgrImage image)
    {
        var sums = _columnSums.AsSpan();
        for (int gy = 0; gy < _gridHeight; gy++)
        {
            sums.Clear();
            for (int r = 0; r < _factor; r++)
            {
                var row = image.Row((gy * _factor) + r)[..sums.Length];
                for (int i = 0; i < row.Length; i++)
                {
                    sums[i] += row[i];
                }
            }

            ReduceRow(gy);
        }
    }

    private int CompareScalar(int threshold, int rate)
    {
        long greySum = 0, backgroundSum = 0;
        for (int i = 0; i < _grey.Length; i++)
        {
            greySum += _grey[i] & _active[i];
            backgroundSum += _background[i] & _active[i];
        }

        int gain = Gain(greySum, backgroundSum);
        int changed = 0;
        for (int i = 0; i < _grey.Length; i++)
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
