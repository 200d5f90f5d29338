using EdgeSentry.Capture;
using EdgeSentry.Motion;
using EdgeSentry.Rules;
using EdgeSentry.Tests.Peers;
using EdgeSentry.Tests.Scenarios;
using Xunit.Abstractions;

namespace EdgeSentry.Tests.Motion;

[Collection(FootageCollection.Name)]
public class MotionDetectorTests(ITestOutputHelper output)
{
    private static readonly double Threshold = new DetectionPolicySection().MotionThreshold;

    [Theory]
    [InlineData("intel_parking_cars.mp4")]
    [InlineData("intel_indoor_people_one_by_one_h264.mp4")]
    [InlineData("meva_school_gym_crowd_annotated_h264.mp4")]
    public async Task Measure_VectorisedOnRealFootage_EqualsScalarReference(string clip)
    {
        Assert.True(MotionDetector.IsVectorised, "this CPU has no SIMD support: the vector path cannot be compared here");
        // A mask, so the masked lanes of the vector path are exercised too.
        var masks = new List<ZoneDefinition> { new() { Id = "corner", Polygon = [[0, 0], [0.3, 0], [0, 0.4]] } };
        var vector = new MotionDetector(new MotionOptions(), masks);
        var scalar = new MotionDetector(new MotionOptions(), masks);
        int framesWithMotion = 0;
        await FootageFrames.ForEachAsync(SharedPaths.Clip(clip), (frame, pts) =>
        {
            double v = vector.Measure(frame.Image, pts);
            double s = scalar.MeasureScalar(frame.Image, pts);
            Assert.Equal(s, v);
            Assert.Equal(scalar.ChangedCells, vector.ChangedCells);
            Assert.True(scalar.Grey.SequenceEqual(vector.Grey), $"grey differs at {pts:F2} s");
            Assert.True(scalar.Background.SequenceEqual(vector.Background), $"background differs at {pts:F2} s");
            framesWithMotion += v > 0 ? 1 : 0;
        }, maxFrames: 300);

        Assert.True(vector.ActiveCells < vector.GridWidth * vector.GridHeight, "the mask covers no cell");
        // The comparison means something only if the frames moved.
        Assert.True(framesWithMotion > 10, $"{framesWithMotion} frames with motion");
        output.WriteLine($"{clip}: grid {vector.GridWidth}x{vector.GridHeight}, {framesWithMotion} of 300 frames with motion");
    }

    [Theory]
    [InlineData("intel_parking_cars.mp4", 1.0)]
    [InlineData("intel_indoor_people_one_by_one_h264.mp4", 2.0)]
    public void Measure_StillSceneWithSensorNoiseAndSlowLightChange_StaysBelowThreshold(string clip, double at)
    {
        var detector = new MotionDetector(new MotionOptions());
        double maxMotion = 0;
        double firstMean = 0, lastMean = 0;
        int n = FootageFrames.ForEachStill(SharedPaths.Clip(clip), at, seconds: 30, fps: 10, noise: 8, brightnessPerSecond: 0.004, (pixels, w, h, pts) =>
        {
            double m = detector.Measure(new BgrImage(pixels, w, h), pts);
            maxMotion = Math.Max(maxMotion, m);
            double mean = detector.Grey.ToArray().Average() / 256;
            firstMean = pts == 0 ? mean : firstMean;
            lastMean = mean;
        });

        output.WriteLine($"{n} frames, brightness {firstMean:F1} -> {lastMean:F1}, max motion {maxMotion:F5}");
        // The light really changed (by far more than the cell threshold), yet no frame counts as motion.
        Assert.True(lastMean - firstMean > 20, $"brightness only went {firstMean:F1} -> {lastMean:F1}");
        Assert.True(maxMotion < Threshold, $"max motion {maxMotion:F5} on a still scene");
    }

    [Fact]
    public async Task Measure_CarsDrivingThroughParkingLane_MotionWhileTheyPass()
    {
        var detector = new MotionDetector(new MotionOptions());
        var during = new List<double>();
        await FootageFrames.ForEachAsync(SharedPaths.Clip("intel_parking_cars.mp4"), (frame, pts) =>
        {
            double m = detector.Measure(frame.Image, pts);
            // The white car is in the picture from about 4.5 s to 8.5 s, the teal and red ones from 14.5 s to 19.5 s.
            if (pts is (>= 5 and <= 8) or (>= 15 and <= 19))
            {
                during.Add(m);
            }
        });

        Assert.All(during, m => Assert.True(m >= Threshold, $"motion {m:F5} while a car drives through"));
    }

    [Fact]
    public void Measure_ChangeOnlyUnderMask_Ignored()
    {
        var masks = new List<ZoneDefinition> { new() { Id = "tree", Polygon = [[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]] } };
        var masked = new MotionDetector(new MotionOptions(), masks);
        var open = new MotionDetector(new MotionOptions());
        var before = Textured(320, 180, 7);
        var after = (byte[])before.Clone();
        // A bright square well inside the top-left quarter.
        for (int y = 20; y < 70; y++)
        {
            after.AsSpan((y * 320 * 3) + (40 * 3), 80 * 3).Fill(250);
        }

        masked.Measure(new BgrImage(before, 320, 180), 0);
        open.Measure(new BgrImage(before, 320, 180), 0);

        Assert.Equal(0, masked.Measure(new BgrImage(after, 320, 180), 0.1));
        Assert.True(open.Measure(new BgrImage(after, 320, 180), 0.1) > 0.05);
        Assert.InRange(masked.ActiveCells, 0.74 * masked.GridWidth * masked.GridHeight, 0.76 * masked.GridWidth * masked.GridHeight);
    }

    [Fact]
    public void Measure_GlobalBrightnessJump_NotMotion()
    {
        var detector = new MotionDetector(new MotionOptions { PixelThreshold = 10 });
        var before = Textured(320, 180, 11);
        var brighter = before.Select(b => (byte)Math.Min(255, b * 13 / 10)).ToArray();
        detector.Measure(new BgrImage(before, 320, 180), 0);
        double meanBefore = detector.Grey.ToArray().Average() / 256;

        double motion = detector.Measure(new BgrImage(brighter, 320, 180), 0.1);
        double meanAfter = detector.Grey.ToArray().Average() / 256;

        // 30 % brighter is a jump of well over the 10-level threshold in every cell, but no motion.
        Assert.True(meanAfter - meanBefore > 25, $"{meanBefore:F1} -> {meanAfter:F1}");
        Assert.True(motion < Threshold, $"motion {motion:F4}");
    }

    /// <summary>Smooth random texture (values 40-180) so cells differ from each other, as in a real scene.</summary>
    private static byte[] Textured(int width, int height, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int v = 40 + (int)(70 * (1 + Math.Sin((x / 17.0) + seed) * Math.Cos(y / 11.0))) + random.Next(0, 5);
                pixels.AsSpan(((y * width) + x) * 3, 3).Fill((byte)Math.Clamp(v, 0, 255));
            }
        }

        return pixels;
    }
}
