using System.Numerics;
using EdgeSentry.Capture;
using EdgeSentry.Detection;
using EdgeSentry.Native.TurboJpeg;

namespace EdgeSentry.Alerts;

public readonly record struct BgrColor(byte B, byte G, byte R)
{
    public static BgrColor Red => new(0, 0, 255);
    public static BgrColor Yellow => new(0, 255, 255);
    public static BgrColor Green => new(0, 200, 0);
    public static BgrColor Cyan => new(255, 255, 0);
}

/// <summary>A box to draw on a snapshot, in source-frame pixels, with an optional label (e.g. "person 0.87").</summary>
public readonly record struct SnapshotBox(BoundingBox Box, BgrColor Color, string? Label = null);

/// <summary>
/// Draws the incident's boxes and zone outline on a copy of the frame and encodes it as JPEG. The canvas and
/// the JPEG buffer are allocated once for the largest frame, so rendering allocates only the returned bytes.
/// Not thread safe: one renderer per alert worker.
/// </summary>
public sealed class SnapshotRenderer : IDisposable
{
    private readonly byte[] canvas;
    private readonly JpegCompressor compressor;
    private readonly int quality;
    private readonly int thickness;

    public SnapshotRenderer(int maxWidth, int maxHeight, int quality = 80, int thickness = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(thickness, 1);
        compressor = new JpegCompressor(maxWidth, maxHeight, JpegSubsampling.Yuv420);
        canvas = GC.AllocateUninitializedArray<byte>(maxWidth * maxHeight * 3, pinned: true);
        this.quality = quality;
        this.thickness = thickness;
    }

    /// <summary>Renders and copies the JPEG out into a snapshot that can travel with the alert.</summary>
    public IncidentSnapshot Render(BgrImage frame, ReadOnlySpan<SnapshotBox> boxes, ReadOnlySpan<Vector2> zone, BgrColor zoneColor) =>
        new()
        {
            Width = frame.Width,
            Height = frame.Height,
            Data = RenderJpeg(frame, boxes, zone, zoneColor).ToArray(),
        };

    /// <summary>
    /// Renders into the renderer's own buffer; the bytes are valid until the next call.
    /// <paramref name="zone"/> is the zone polygon in normalised 0-1 image coordinates (empty for none).
    /// </summary>
    public ReadOnlySpan<byte> RenderJpeg(BgrImage frame, ReadOnlySpan<SnapshotBox> boxes, ReadOnlySpan<Vector2> zone, BgrColor zoneColor)
    {
        if (frame.Width > compressor.MaxWidth || frame.Height > compressor.MaxHeight)
        {
            throw new ArgumentException($"frame {frame.Width}x{frame.Height} is larger than this renderer's {compressor.MaxWidth}x{compressor.MaxHeight}", nameof(frame));
        }

        int width = frame.Width;
        int height = frame.Height;
        int rowBytes = width * 3;
        Span<byte> image = canvas.AsSpan(0, rowBytes * height);
        for (int y = 0; y < height; y++)
        {
            frame.Row(y).CopyTo(image.Slice(y * rowBytes, rowBytes));
        }

        var painter = new Painter(image, width, height, thickness);
        if (zone.Length >= 2)
        {
            for (int i = 0; i < zone.Length; i++)
            {
                Vector2 a = zone[i];
                Vector2 b = zone[(i + 1) % zone.Length];
                painter.Line(
                    (int)MathF.Round(a.X * (width - 1)), (int)MathF.Round(a.Y * (height - 1)),
                    (int)MathF.Round(b.X * (width - 1)), (int)MathF.Round(b.Y * (height - 1)),
                    zoneColor);
            }
        }

        // Labels scale with the frame so they stay legible on 1080p and do not swamp a 640×360 picture.
        int textScale = Math.Max(1, height / 360);
        foreach (SnapshotBox box in boxes)
        {
            painter.Rectangle(box.Box, box.Color);
            if (!string.IsNullOrEmpty(box.Label))
            {
                painter.Label(box.Box, box.Label, box.Color, textScale);
            }
        }

        return compressor.Compress(image, width, height, 0, quality);
    }

    public void Dispose() => compressor.Dispose();

    /// <summary>Minimal raster drawing on packed BGR24, clipped to the image.</summary>
    internal readonly ref struct Painter(Span<byte> image, int width, int height, int thickness)
    {
        private readonly Span<byte> image = image;

        /// <summary>A rectangle outline whose lines lie inside the box, so the box edge is where the line starts.</summary>
        public void Rectangle(BoundingBox box, BgrColor color)
        {
            int x1 = (int)MathF.Floor(box.X1);
            int y1 = (int)MathF.Floor(box.Y1);
            int x2 = (int)MathF.Ceiling(box.X2) - 1;
            int y2 = (int)MathF.Ceiling(box.Y2) - 1;
            int t = thickness;
            Fill(x1, y1, x2, y1 + t - 1, color);
            Fill(x1, y2 - t + 1, x2, y2, color);
            Fill(x1, y1, x1 + t - 1, y2, color);
            Fill(x2 - t + 1, y1, x2, y2, color);
        }

        /// <summary>
        /// A filled tag in the box colour, sitting on the box's top edge (inside the box when there is no room
        /// above), with the text in black or white, whichever reads better on that colour.
        /// </summary>
        public void Label(BoundingBox box, string text, BgrColor background, int scale)
        {
            int pad = scale;
            int tagWidth = BitmapFont.MeasureWidth(text.Length, scale) + (2 * pad);
            int tagHeight = (BitmapFont.GlyphHeight * scale) + (2 * pad);
            int x = Math.Max(0, (int)MathF.Floor(box.X1));
            int y = (int)MathF.Floor(box.Y1) - tagHeight;
            if (y < 0)
            {
                y = Math.Max(0, (int)MathF.Floor(box.Y1));
            }

            Fill(x, y, x + tagWidth - 1, y + tagHeight - 1, background);
            int luma = ((299 * background.R) + (587 * background.G) + (114 * background.B)) / 1000;
            BgrColor ink = luma > 128 ? new BgrColor(0, 0, 0) : new BgrColor(255, 255, 255);
            int penX = x + pad;
            foreach (char c in text)
            {
                ReadOnlySpan<byte> glyph = BitmapFont.Glyph(c);
                for (int row = 0; row < BitmapFont.GlyphHeight; row++)
                {
                    for (int column = 0; column < BitmapFont.GlyphWidth; column++)
                    {
                        if ((glyph[row] & (0x10 >> column)) != 0)
                        {
                            int px = penX + (column * scale);
                            int py = y + pad + (row * scale);
                            Fill(px, py, px + scale - 1, py + scale - 1, ink);
                        }
                    }
                }

                penX += (BitmapFont.GlyphWidth + 1) * scale;
            }
        }

        /// <summary>Bresenham's line, stamping a thickness × thickness square at each step.</summary>
        public void Line(int x0, int y0, int x1, int y1, BgrColor color)
        {
            int dx = Math.Abs(x1 - x0);
            int dy = -Math.Abs(y1 - y0);
            int sx = x0 < x1 ? 1 : -1;
            int sy = y0 < y1 ? 1 : -1;
            int error = dx + dy;
            int half = thickness / 2;
            while (true)
            {
                Fill(x0 - half, y0 - half, x0 - half + thickness - 1, y0 - half + thickness - 1, color);
                if (x0 == x1 && y0 == y1)
                {
                    return;
                }

                int twice = 2 * error;
                if (twice >= dy)
                {
                    error += dy;
                    x0 += sx;
                }

                if (twice <= dx)
                {
                    error += dx;
                    y0 += sy;
                }
            }
        }

        /// <summary>Fills the inclusive pixel rectangle [x0..x1] × [y0..y1], clipped.</summary>
        public void Fill(int x0, int y0, int x1, int y1, BgrColor color)
        {
            x0 = Math.Max(x0, 0);
            y0 = Math.Max(y0, 0);
            x1 = Math.Min(x1, width - 1);
            y1 = Math.Min(y1, height - 1);
            for (int y = y0; y <= y1; y++)
            {
                Span<byte> row = image.Slice(y * width * 3, width * 3);
                for (int x = x0; x <= x1; x++)
                {
                    row[x * 3] = color.B;
                    row[(x * 3) + 1] = color.G;
                    row[(x * 3) + 2] = color.R;
                }
            }
        }
    }
}
