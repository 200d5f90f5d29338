using System.Numerics;
using EdgeSentry.Alerts;
using EdgeSentry.Capture;
using EdgeSentry.Detection;
using EdgeSentry.Pictures;
using EdgeSentry.Tests.Detection;
using OpenCvSharp;
using static EdgeSentry.Tests.Pictures.PictureAssertions;

namespace EdgeSentry.Tests.Pictures;

public class SnapshotRendererTests
{
    private const int Width = 320, Height = 240;
    private static readonly BgrColor Grey128 = new(128, 128, 128);

    [Fact]
    public void Render_BoxOnGrey_BoxEdgeHasClassColourAndInsideStaysGrey()
    {
        using var renderer = new SnapshotRenderer();
        var overlay = new SceneOverlay { Boxes = [new OverlayBox(new BoundingBox(100, 50, 180, 120), ClassId: 2)] };

        IncidentSnapshot snapshot = renderer.Render(new BgrImage(Grey(Width, Height), Width, Height), overlay)!;
        using Mat decoded = Decode(snapshot.Data, Width, Height);

        BgrColor car = ClassPalette.For(2);
        Assert.Equal((Width, Height), (snapshot.Width, snapshot.Height));
        AssertColour(decoded, 140, 50, car);   // top edge
        AssertColour(decoded, 100, 85, car);   // left edge
        AssertColour(decoded, 179, 85, car);   // right edge
        AssertColour(decoded, 140, 119, car);  // bottom edge
        AssertColour(decoded, 140, 85, Grey128);  // inside
        AssertColour(decoded, 20, 20, Grey128);   // elsewhere
    }

    [Fact]
    public void Render_ExplicitColour_OverridesClassPalette()
    {
        using var renderer = new SnapshotRenderer();
        var overlay = new SceneOverlay { Boxes = [new OverlayBox(new BoundingBox(100, 50, 180, 120), ClassId: 0, Color: BgrColor.Red)] };

        using Mat decoded = Decode(renderer.RenderJpeg(new BgrImage(Grey(Width, Height), Width, Height), overlay)!, Width, Height);

        AssertColour(decoded, 140, 50, BgrColor.Red);
        Assert.False(Near(At(decoded, 140, 50), ClassPalette.For(0)), "the person colour was drawn instead of the explicit red");
    }

    [Fact]
    public void Render_NamedZone_OutlineInZoneColourAtScaledCoordinates()
    {
        using var renderer = new SnapshotRenderer();
        Vector2[] zone = [new(0.1f, 0.2f), new(0.9f, 0.2f), new(0.9f, 0.9f), new(0.1f, 0.9f)];
        var overlay = new SceneOverlay { Zones = [new OverlayPolygon(zone, BgrColor.Yellow, "hazard")] };

        using Mat decoded = Decode(renderer.RenderJpeg(new BgrImage(Grey(Width, Height), Width, Height), overlay)!, Width, Height);

        AssertColour(decoded, 200, (int)MathF.Round(0.2f * (Height - 1)), BgrColor.Yellow);
        AssertColour(decoded, (int)MathF.Round(0.9f * (Width - 1)), 120, BgrColor.Yellow);
        AssertColour(decoded, (int)MathF.Round(0.1f * (Width - 1)), 150, BgrColor.Yellow);
        AssertColour(decoded, 160, 120, Grey128);
    }

    [Theory]
    [InlineData(0, 0)]      // black frame
    [InlineData(255, 7)]    // white frame, a yellow-ish class colour needing dark ink
    [InlineData(128, 2)]
    public void Render_LabelWithTrackId_TagInBoxColourCarriesContrastingText(byte background, int classId)
    {
        const int width = 1280, height = 720;
        using var renderer = new SnapshotRenderer(quality: 95);
        var box = new OverlayBox(new BoundingBox(200, 200, 400, 400), classId, "person 0.87", TrackId: 12);
        var overlay = new SceneOverlay { Boxes = [box] };

        using Mat decoded = Decode(renderer.RenderJpeg(new BgrImage(Grey(width, height, background), width, height), overlay)!, width, height);

        Rect tag = FrameAnnotator.LabelRect(box, width, height)!.Value;
        BgrColor colour = box.EffectiveColor;
        BgrColor ink = colour.Luma > 128 ? BgrColor.Black : BgrColor.White;
        int area = tag.Width * tag.Height;
        int fill = Count(decoded, tag, colour, 60);
        int text = Count(decoded, tag, ink, 60);
        Assert.True(tag.Bottom <= 201 && tag.Top >= 0, $"tag {tag} should sit on the box's top edge");
        Assert.True(tag.Width > 100, $"'#12 person 0.87' at 720p should be wider than 100 px, tag is {tag}");
        Assert.True(fill > area / 2, $"{fill} of {area} tag pixels in the box colour {colour}");
        Assert.True(text > area / 20, $"{text} of {area} tag pixels in the ink colour {ink}: the label is empty");
    }

    [Fact]
    public void Render_LabelOnTopEdgeOfFrame_TagMovesInsideTheFrame()
    {
        var box = new OverlayBox(new BoundingBox(-50, 0, 100, 100), 0, "person 0.50");

        Rect tag = FrameAnnotator.LabelRect(box, Width, Height)!.Value;

        Assert.True(tag.X >= 0 && tag.Y >= 0 && tag.Right <= Width && tag.Bottom <= Height, $"tag {tag} must lie inside {Width}x{Height}");
    }

    [Fact]
    public void Render_LineWithDirection_ArrowOnlyOnCountedSide()
    {
        const int width = 640, height = 360;
        using var renderer = new SnapshotRenderer(quality: 95);
        var down = new SceneOverlay { Lines = [new OverlayLine(new(0.1f, 0.5f), new(0.9f, 0.5f), BgrColor.Magenta, Direction: new Vector2(0, 1))] };
        var both = new SceneOverlay { Lines = [new OverlayLine(new(0.1f, 0.5f), new(0.9f, 0.5f), BgrColor.Magenta)] };

        using Mat oneWay = Decode(renderer.RenderJpeg(new BgrImage(Grey(width, height), width, height), down)!, width, height);
        using Mat twoWay = Decode(renderer.RenderJpeg(new BgrImage(Grey(width, height), width, height), both)!, width, height);

        // The line at y 180; the arrow 29 px long from its middle (320, 180).
        AssertColour(oneWay, 100, 180, BgrColor.Magenta);
        AssertColour(oneWay, 320, 198, BgrColor.Magenta);
        AssertColour(oneWay, 320, 162, Grey128);
        AssertColour(twoWay, 320, 198, BgrColor.Magenta);
        AssertColour(twoWay, 320, 162, BgrColor.Magenta);
    }

    [Fact]
    public void Render_Mask_TintsInsideAndLeavesOutside()
    {
        using var renderer = new SnapshotRenderer(quality: 95);
        Vector2[] left = [new(0, 0), new(0.5f, 0), new(0.5f, 1), new(0, 1)];
        var overlay = new SceneOverlay { Masks = [new OverlayPolygon(left, BgrColor.Magenta)] };

        using Mat decoded = Decode(renderer.RenderJpeg(new BgrImage(Grey(Width, Height), Width, Height), overlay)!, Width, Height);

        // 35 % magenta over grey 128: (0.35 * 255 + 0.65 * 128, 0.65 * 128, ...) = (172, 83, 172).
        AssertColour(decoded, 80, 120, new BgrColor(172, 83, 172), 15);
        AssertColour(decoded, 240, 120, Grey128, 10);
    }

    [Fact]
    public void Render_FrameLargerThan1080p_DrawnAtItsOwnSize()
    {
        const int width = 3840, height = 2160;
        using var renderer = new SnapshotRenderer();
        var overlay = new SceneOverlay { Boxes = [new OverlayBox(new BoundingBox(3000, 1800, 3500, 2100), 0, "person 0.90")] };

        IncidentSnapshot snapshot = renderer.Render(new BgrImage(Grey(width, height), width, height), overlay)!;
        using Mat decoded = Decode(snapshot.Data, width, height);

        Assert.Equal((width, height), (snapshot.Width, snapshot.Height));
        AssertColour(decoded, 3250, 2099, ClassPalette.For(0));
        AssertColour(decoded, 3250, 1950, Grey128);
    }

    [Fact]
    public void Render_SizeChangesBetweenCalls_EachPictureHasItsFrameSize()
    {
        using var renderer = new SnapshotRenderer();

        byte[] small = renderer.RenderJpeg(new BgrImage(Grey(64, 48), 64, 48), SceneOverlay.Empty)!;
        byte[] large = renderer.RenderJpeg(new BgrImage(Grey(2048, 1536), 2048, 1536), SceneOverlay.Empty)!;
        byte[] again = renderer.RenderJpeg(new BgrImage(Grey(64, 48), 64, 48), SceneOverlay.Empty)!;

        Decode(small, 64, 48).Dispose();
        Decode(large, 2048, 1536).Dispose();
        Decode(again, 64, 48).Dispose();
    }

    [Fact]
    public void Render_PaddedStride_SameBytesAsPacked()
    {
        var frame = TestFrames.Load("vtest_f0200.png");
        int stride = (frame.Width * 3) + 64;
        var padded = new byte[stride * frame.Height];
        for (int y = 0; y < frame.Height; y++)
        {
            frame.Pixels.AsSpan(y * frame.Width * 3, frame.Width * 3).CopyTo(padded.AsSpan(y * stride));
        }

        using var renderer = new SnapshotRenderer();
        var overlay = new SceneOverlay { Boxes = [new OverlayBox(new BoundingBox(10, 10, 90, 200), 0, "person 0.7", 3)] };

        byte[] packed = renderer.RenderJpeg(new BgrImage(frame.Pixels, frame.Width, frame.Height), overlay)!;
        byte[] strided = renderer.RenderJpeg(new BgrImage(padded, frame.Width, frame.Height, stride), overlay)!;

        Assert.Equal(packed, strided);
    }

    [Fact]
    public void Render_Always_LeavesSourceFrameUntouched()
    {
        var frame = TestFrames.Load("vtest_f0200.png");
        byte[] pixels = (byte[])frame.Pixels.Clone();
        using var renderer = new SnapshotRenderer();
        var overlay = new SceneOverlay
        {
            Boxes = [new OverlayBox(new BoundingBox(10, 10, 50, 50), 0, "x")],
            Zones = [new OverlayPolygon([new(0, 0), new(1, 1), new(0, 1)], BgrColor.Cyan)],
            Masks = [new OverlayPolygon([new(0, 0), new(1, 0), new(1, 1)], BgrColor.Magenta)],
        };

        renderer.Render(new BgrImage(pixels, frame.Width, frame.Height), overlay);

        Assert.Equal(frame.Pixels, pixels);
    }

    [Fact]
    public void Render_RealFrameBoxPartlyOutside_DrawsOnlyTheVisibleEdge()
    {
        var frame = TestFrames.Load("vtest_f0200.png");
        using var renderer = new SnapshotRenderer();
        var overlay = new SceneOverlay { Boxes = [new OverlayBox(new BoundingBox(-20, -20, frame.Width + 20, 40), 0)] };

        using Mat decoded = Decode(renderer.RenderJpeg(new BgrImage(frame.Pixels, frame.Width, frame.Height), overlay)!, frame.Width, frame.Height);

        // The bottom edge (y 39) shows; the top edge lies above the frame and is clipped away.
        AssertColour(decoded, frame.Width / 2, 39, ClassPalette.For(0));
        int top = (frame.Width / 2) * 3;
        Assert.True(Math.Abs(At(decoded, frame.Width / 2, 0).G - frame.Pixels[top + 1]) < 40, "the clipped top edge must not be drawn on row 0");
    }

    [Fact]
    public void LabelText_TrackAndLabel_TrackIdFirst()
    {
        var box = new BoundingBox(0, 0, 1, 1);
        Assert.Equal("#7 car 0.91", FrameAnnotator.LabelText(new OverlayBox(box, 2, "car 0.91", 7)));
        Assert.Equal("#7", FrameAnnotator.LabelText(new OverlayBox(box, 2, null, 7)));
        Assert.Equal("car", FrameAnnotator.LabelText(new OverlayBox(box, 2, "car")));
        Assert.Null(FrameAnnotator.LabelText(new OverlayBox(box, 2)));
    }
}
