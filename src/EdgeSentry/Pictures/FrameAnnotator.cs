using System.Numerics;
using OpenCvSharp;

namespace EdgeSentry.Pictures;

/// <summary>
/// Draws a <see cref="SceneOverlay"/> onto a BGR <see cref="Mat"/> in place. Strokes and text scale with the
/// frame height (one unit per 360 rows), so labels stay readable on 4K and do not swamp a 640x360 picture.
/// Stateless and thread safe; the caller owns the Mat.
/// </summary>
public static class FrameAnnotator
{
    private const HersheyFonts Font = HersheyFonts.HersheySimplex;

    // Masks are tinted rather than filled so the ignored area still shows what is there.
    private const double MaskOpacity = 0.35;

    public static void Draw(Mat canvas, SceneOverlay overlay)
    {
        ArgumentNullException.ThrowIfNull(canvas);
        ArgumentNullException.ThrowIfNull(overlay);
        var style = Style.For(canvas.Width, canvas.Height);
        foreach (var mask in overlay.Masks)
        {
            DrawMask(canvas, mask, style);
        }

        foreach (var zone in overlay.Zones)
        {
            DrawZone(canvas, zone, style);
        }

        foreach (var line in overlay.Lines)
        {
            DrawLine(canvas, line, style);
        }

        foreach (var box in overlay.Boxes)
        {
            DrawBox(canvas, box, style);
        }
    }

    /// <summary>The label text of a box: "#12 person 0.87", "#12", "person 0.87" or nothing.</summary>
    public static string? LabelText(in OverlayBox box) => (box.TrackId, box.Label) switch
    {
        ({ } id, { Length: > 0 } label) => $"#{id} {label}",
        ({ } id, _) => $"#{id}",
        (null, { Length: > 0 } label) => label,
        _ => null,
    };

    /// <summary>
    /// The filled tag a label sits on: above <paramref name="anchor"/> when there is room, otherwise just below
    /// it, shifted left so it stays inside the frame. Exposed so tests can look at the pixels where text must be.
    /// </summary>
    public static Rect LabelRect(string text, Point anchor, int frameWidth, int frameHeight)
    {
        var style = Style.For(frameWidth, frameHeight);
        var size = Cv2.GetTextSize(text, Font, style.FontScale, style.TextThickness, out int baseline);
        int width = size.Width + (2 * style.Padding);
        int height = size.Height + baseline + (2 * style.Padding);
        int x = Math.Clamp(anchor.X, 0, Math.Max(0, frameWidth - width));
        int y = anchor.Y - height >= 0 ? anchor.Y - height : Math.Clamp(anchor.Y, 0, Math.Max(0, frameHeight - height));
        return new Rect(x, y, width, height);
    }

    private static void DrawBox(Mat canvas, in OverlayBox box, in Style style)
    {
        var colour = ToScalar(box.EffectiveColor);
        var topLeft = new Point((int)MathF.Floor(box.Box.X1), (int)MathF.Floor(box.Box.Y1));
        var bottomRight = new Point((int)MathF.Ceiling(box.Box.X2) - 1, (int)MathF.Ceiling(box.Box.Y2) - 1);
        Cv2.Rectangle(canvas, topLeft, bottomRight, colour, style.Stroke, LineTypes.Link8);
        if (LabelText(box) is { } text)
        {
            DrawLabel(canvas, text, LabelAnchor(box, style), box.EffectiveColor, style);
        }
    }

    /// <summary>Where the label tag of <paramref name="box"/> goes on a frame of this size (null: no label).</summary>
    public static Rect? LabelRect(in OverlayBox box, int frameWidth, int frameHeight) =>
        LabelText(box) is { } text ? LabelRect(text, LabelAnchor(box, Style.For(frameWidth, frameHeight)), frameWidth, frameHeight) : null;

    // The tag sits on the outer edge of the box's stroke, so the two read as one shape.
    private static Point LabelAnchor(in OverlayBox box, in Style style) =>
        new((int)MathF.Floor(box.Box.X1) - (style.Stroke / 2), (int)MathF.Floor(box.Box.Y1) - (style.Stroke / 2));

    private static void DrawZone(Mat canvas, OverlayPolygon zone, in Style style)
    {
        if (zone.Points.Count < 2)
        {
            return;
        }

        var points = ToPixels(zone.Points, canvas.Width, canvas.Height);
        Cv2.Polylines(canvas, [points], isClosed: true, ToScalar(zone.Color), style.Stroke, LineTypes.Link8);
        if (!string.IsNullOrEmpty(zone.Name))
        {
            DrawLabel(canvas, zone.Name, TopMost(points), zone.Color, style);
        }
    }

    private static void DrawMask(Mat canvas, OverlayPolygon mask, in Style style)
    {
        if (mask.Points.Count < 3)
        {
            return;
        }

        var points = ToPixels(mask.Points, canvas.Width, canvas.Height);
        var bounds = Cv2.BoundingRect(points).Intersect(new Rect(0, 0, canvas.Width, canvas.Height));
        if (bounds.Width > 0 && bounds.Height > 0)
        {
            // Blend only the polygon's bounding box: a mask over a corner costs that corner, not a frame copy.
            using var region = new Mat(canvas, bounds);
            using var tinted = region.Clone();
            Cv2.FillPoly(tinted, [points], ToScalar(mask.Color), LineTypes.Link8, 0, new Point(-bounds.X, -bounds.Y));
            Cv2.AddWeighted(tinted, MaskOpacity, region, 1 - MaskOpacity, 0, region);
        }

        Cv2.Polylines(canvas, [points], isClosed: true, ToScalar(mask.Color), Math.Max(1, style.Stroke / 2), LineTypes.Link8);
        if (!string.IsNullOrEmpty(mask.Name))
        {
            DrawLabel(canvas, mask.Name, TopMost(points), mask.Color, style);
        }
    }

    private static void DrawLine(Mat canvas, OverlayLine line, in Style style)
    {
        int w = canvas.Width, h = canvas.Height;
        var from = ToPixel(line.From, w, h);
        var to = ToPixel(line.To, w, h);
        var colour = ToScalar(line.Color);
        Cv2.Line(canvas, from, to, colour, style.Stroke, LineTypes.Link8);

        // The arrow starts on the line's middle and points the way a counted crossing goes; in pixels, so a
        // direction given in normalised units still looks right on a wide frame.
        var middle = new Vector2((from.X + to.X) / 2f, (from.Y + to.Y) / 2f);
        float length = Math.Max(16f, 0.08f * Math.Min(w, h));
        if (line.Direction is { } d && new Vector2(d.X * w, d.Y * h) is var pixels && pixels.LengthSquared() > 0)
        {
            Arrow(canvas, middle, Vector2.Normalize(pixels), length, colour, style);
        }
        else
        {
            var along = new Vector2(to.X - from.X, to.Y - from.Y);
            var normal = Vector2.Normalize(new Vector2(-along.Y, along.X));
            Arrow(canvas, middle, normal, length, colour, style);
            Arrow(canvas, middle, -normal, length, colour, style);
        }

        if (!string.IsNullOrEmpty(line.Name))
        {
            DrawLabel(canvas, line.Name, from.Y <= to.Y ? from : to, line.Color, style);
        }
    }

    private static void Arrow(Mat canvas, Vector2 start, Vector2 unit, float length, Scalar colour, in Style style)
    {
        var end = start + (unit * length);
        Cv2.ArrowedLine(
            canvas,
            new Point((int)MathF.Round(start.X), (int)MathF.Round(start.Y)),
            new Point((int)MathF.Round(end.X), (int)MathF.Round(end.Y)),
            colour, style.Stroke, LineTypes.AntiAlias, 0, 0.35);
    }

    private static void DrawLabel(Mat canvas, string text, Point anchor, BgrColor background, in Style style)
    {
        var tag = LabelRect(text, anchor, canvas.Width, canvas.Height);
        Cv2.Rectangle(canvas, tag, ToScalar(background), -1, LineTypes.Link8);
        var ink = background.Luma > 128 ? BgrColor.Black : BgrColor.White;
        var size = Cv2.GetTextSize(text, Font, style.FontScale, style.TextThickness, out _);
        var origin = new Point(tag.X + style.Padding, tag.Y + style.Padding + size.Height);
        Cv2.PutText(canvas, text, origin, Font, style.FontScale, ToScalar(ink), style.TextThickness, LineTypes.AntiAlias);
    }

    private static Point TopMost(Point[] points)
    {
        var best = points[0];
        foreach (var p in points)
        {
            if (p.Y < best.Y || (p.Y == best.Y && p.X < best.X))
            {
                best = p;
            }
        }

        return best;
    }

    private static Point[] ToPixels(IReadOnlyList<Vector2> points, int width, int height)
    {
        var pixels = new Point[points.Count];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = ToPixel(points[i], width, height);
        }

        return pixels;
    }

    private static Point ToPixel(Vector2 p, int width, int height) =>
        new((int)MathF.Round(p.X * (width - 1)), (int)MathF.Round(p.Y * (height - 1)));

    private static Scalar ToScalar(BgrColor c) => new(c.B, c.G, c.R);

    private readonly record struct Style(int Stroke, double FontScale, int TextThickness, int Padding)
    {
        public static Style For(int width, int height)
        {
            int unit = Math.Max(1, (int)Math.Round(Math.Min(height, width * 9 / 16.0) / 360.0));
            return new Style(Stroke: 1 + unit, FontScale: 0.5 * unit, TextThickness: unit, Padding: 2 * unit);
        }
    }
}
