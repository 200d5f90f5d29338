using System.Numerics;
using EdgeSentry.Alerts;
using EdgeSentry.Capture;
using EdgeSentry.Detection;
using EdgeSentry.Native.TurboJpeg;
using EdgeSentry.Tests.Native.TurboJpeg;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Alerts;

public class SnapshotRendererTests
{
    private const int Width = 320, Height = 240;

    [Fact]
    public void Render_RedBoxOnGrey_DecodedBoxEdgeIsRedAndInsideStaysGrey()
    {
        byte[] frame = Grey(Width, Height);
        using var renderer = new SnapshotRenderer(Width, Height);
        SnapshotBox[] boxes = [new(new BoundingBox(100, 50, 180, 120), BgrColor.Red)];

        IncidentSnapshot snapshot = renderer.Render(new BgrImage(frame, Width, Height), boxes, [], BgrColor.Yellow);
        byte[] decoded = Decode(snapshot.Data);

        Assert.Equal((Width, Height), (snapshot.Width, snapshot.Height));
        AssertColour(decoded, 140, 51, BgrColor.Red);   // top edge
        AssertColour(decoded, 101, 85, BgrColor.Red);   // left edge
        AssertColour(decoded, 178, 85, BgrColor.Red);   // right edge
        AssertColour(decoded, 140, 118, BgrColor.Red);  // bottom edge
        AssertColour(decoded, 140, 85, new BgrColor(128, 128, 128));  // inside
        AssertColour(decoded, 20, 20, new BgrColor(128, 128, 128));   // elsewhere
    }

    [Fact]
    public void Render_NormalisedZone_OutlineDrawnAtScaledCoordinates()
    {
        byte[] frame = Grey(Width, Height);
        using var renderer = new SnapshotRenderer(Width, Height);
        Vector2[] zone = [new(0.1f, 0.1f), new(0.9f, 0.1f), new(0.9f, 0.9f), new(0.1f, 0.9f)];

        IncidentSnapshot snapshot = renderer.Render(new BgrImage(frame, Width, Height), [], zone, BgrColor.Yellow);
        byte[] decoded = Decode(snapshot.Data);

        AssertColour(decoded, 160, (int)MathF.Round(0.1f * (Height - 1)), BgrColor.Yellow);
        AssertColour(decoded, (int)MathF.Round(0.9f * (Width - 1)), 120, BgrColor.Yellow);
        AssertColour(decoded, 160, 120, new BgrColor(128, 128, 128));
    }

    [Fact]
    public void Render_Always_LeavesSourceFrameUntouched()
    {
        byte[] frame = JpegCompressorTests.Gradient(Width, Height);
        byte[] original = (byte[])frame.Clone();
        using var renderer = new SnapshotRenderer(Width, Height);

        renderer.Render(new BgrImage(frame, Width, Height), [new(new BoundingBox(10, 10, 50, 50), BgrColor.Red)], [new(0, 0), new(1, 1)], BgrColor.Cyan);

        Assert.Equal(original, frame);
    }

    [Fact]
    public async Task Render_RealFrameBoxPartlyOutside_DrawsOnlyTheVisibleEdge()
    {
        (byte[] bgr, int width, int height) = await JpegCompressorTests.DecodePng(SharedPaths.TestFrame("vtest_f0200.png"));
        using var renderer = new SnapshotRenderer(width, height);
        SnapshotBox[] boxes = [new(new BoundingBox(-20, -20, width + 20, 40), BgrColor.Green)];

        IncidentSnapshot snapshot = renderer.Render(new BgrImage(bgr, width, height), boxes, [], BgrColor.Yellow);
        byte[] decoded = Decode(snapshot.Data, width, height);

        // Lines lie inside the box: its top edge is above the frame and clipped away, its bottom edge (y 37-39) shows.
        AssertColour(decoded, width / 2, 38, BgrColor.Green, width);
        int top = (width / 2) * 3;
        Assert.True(Math.Abs(decoded[top + 1] - bgr[top + 1]) < 40, "the clipped top edge must not be drawn on row 0");
    }

    [Fact]
    public void Render_BoxWithLabel_TagSitsOnTopEdgeWithLegibleText()
    {
        const int width = 1280, height = 720;
        byte[] frame = Grey(width, height);
        using var renderer = new SnapshotRenderer(width, height);
        SnapshotBox[] boxes = [new(new BoundingBox(200, 200, 400, 400), BgrColor.Red, "person 0.87")];

        IncidentSnapshot snapshot = renderer.Render(new BgrImage(frame, width, height), boxes, [], BgrColor.Yellow);
        byte[] decoded = Decode(snapshot.Data, width, height);

        // Scale 2 at 720p: an 18 px tag above the box (y 182-199), text from (202, 184). 'P' row 0 is ####. .
        Assert.True(Luma(decoded, width, 202 + 3, 184) > 170, "'P' top stroke should be white ink");
        Assert.True(Luma(decoded, width, 202 + 9, 184) < 120, "right of 'P' top stroke is tag background");
        AssertColour(decoded, 205, 199, BgrColor.Red, width);
        AssertColour(decoded, 300, 170, new BgrColor(128, 128, 128), width);
    }

    [Fact]
    public void Glyph_LowerCaseAndUnknown_MapToUpperCaseAndQuestionMark()
    {
        Assert.True(BitmapFont.Glyph('p').SequenceEqual(BitmapFont.Glyph('P')));
        Assert.True(BitmapFont.Glyph('\u00e9').SequenceEqual(BitmapFont.Glyph('?')));
        Assert.Equal(((11 * 6) - 1) * 2, BitmapFont.MeasureWidth("person 0.87".Length, 2));
    }

    private static int Luma(byte[] bgr, int width, int x, int y)
    {
        int i = ((y * width) + x) * 3;
        return ((299 * bgr[i + 2]) + (587 * bgr[i + 1]) + (114 * bgr[i])) / 1000;
    }

    private static byte[] Grey(int width, int height)
    {
        byte[] frame = new byte[width * height * 3];
        frame.AsSpan().Fill(128);
        return frame;
    }

    private static byte[] Decode(byte[] jpeg, int width = Width, int height = Height)
    {
        using var decompressor = new JpegDecompressor();
        var header = decompressor.ReadHeader(jpeg);
        Assert.Equal((width, height), (header.Width, header.Height));
        byte[] decoded = new byte[width * height * 3];
        decompressor.Decompress(jpeg, decoded, width, height);
        return decoded;
    }

    // JPEG at quality 80 with 4:2:0 chroma blurs colours slightly; 40 levels apart still tells red from grey.
    private static void AssertColour(byte[] bgr, int x, int y, BgrColor expected, int width = Width)
    {
        int i = ((y * width) + x) * 3;
        var actual = new BgrColor(bgr[i], bgr[i + 1], bgr[i + 2]);
        Assert.True(
            Math.Abs(actual.B - expected.B) <= 40 && Math.Abs(actual.G - expected.G) <= 40 && Math.Abs(actual.R - expected.R) <= 40,
            $"pixel ({x},{y}) is {actual}, expected about {expected}");
    }
}
