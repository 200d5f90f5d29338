using EdgeSentry.Capture;
using EdgeSentry.Configuration;
using EdgeSentry.Motion;

namespace EdgeSentry.Tests.Motion;

public class DetectionGateTests
{
    private const int Width = 160;
    private const int Height = 90;

    [Fact]
    public void ShouldDetect_MotionPolicyStillScene_OnlyKeepAliveFrames()
    {
        var gate = new DetectionGate(new DetectionPolicySection { Policy = "motion", KeepAliveSeconds = 2 });
        var still = Picture(0);

        var detected = Run(gate, 100, _ => still);

        // 10 s at 10 fps: the first frame, then one every 2 s.
        Assert.Equal([0.0, 2.0, 4.0, 6.0, 8.0], detected);
        Assert.Equal(95, gate.FramesSkipped);
        Assert.Equal(5, gate.FramesDetected);
        Assert.Equal(0, gate.MotionFraction);
    }

    [Fact]
    public void ShouldDetect_MotionPolicyWithMotion_EveryFrameWhileItLastsThenKeepAlive()
    {
        var gate = new DetectionGate(new DetectionPolicySection { Policy = "motion", KeepAliveSeconds = 5, MotionHoldSeconds = 1 });
        var a = Picture(0);
        var b = Picture(60);

        // Something moves from 3.0 s to 4.0 s (frames 30-40 alternate), the picture is still otherwise, for 30 s.
        var detected = Run(gate, 300, i => i is >= 30 and <= 40 && i % 2 == 1 ? b : a);

        var frames = detected.Select(d => (int)Math.Round(d * 10)).ToHashSet();
        // Before: only the first frame. During the motion and for the hold after it: every frame.
        Assert.Equal([0], frames.Where(f => f < 31));
        Assert.All(Enumerable.Range(31, 20), f => Assert.Contains(f, frames));
        // Long after, once the background has settled: keep-alive only (one frame in 5 s).
        int late = frames.Count(f => f >= 200);
        Assert.InRange(late, 1, 2);
        Assert.True(gate.MotionFraction > 0.03, $"motion fraction {gate.MotionFraction}");
    }

    [Fact]
    public void ShouldDetect_MotionPolicyLiveTrack_EveryFrame()
    {
        var gate = new DetectionGate(new DetectionPolicySection { Policy = "motion" }, liveTracks: () => 1);
        var still = Picture(0);

        var detected = Run(gate, 50, _ => still);

        Assert.Equal(50, detected.Count);
        Assert.Equal(0, gate.FramesSkipped);
    }

    [Theory]
    [InlineData(1, 30)]
    [InlineData(3, 10)]
    [InlineData(4, 8)]
    public void ShouldDetect_Interval_EveryNthDecodedFrame(int interval, int expected)
    {
        var gate = new DetectionGate(new DetectionPolicySection { Policy = "interval", IntervalFrames = interval });
        int n = 0;
        for (int i = 0; i < 30; i++)
        {
            if (gate.ShouldDetect(i / 10.0, i))
            {
                gate.Detected(i / 10.0, i);
                n++;
            }
        }

        Assert.Equal(expected, n);
        Assert.Equal(30 - expected, gate.FramesSkipped);
    }

    [Fact]
    public void ShouldDetect_EveryFramePolicy_MeasuresNothingSkipsNothing()
    {
        var gate = new DetectionGate(new DetectionPolicySection());

        var detected = Run(gate, 20, _ => Picture(0));

        Assert.Equal(20, detected.Count);
        Assert.Equal(0, gate.FramesObserved);
    }

    [Fact]
    public void Validate_BadValues_EveryErrorWithItsPath()
    {
        var errors = new List<string>();
        new DetectionPolicySection { Policy = "motoin", KeepAliveSeconds = 0, MotionThreshold = 2, IntervalFrames = 0, MotionGridSize = 500 }.Validate("$.cameras[0].detection", errors);

        Assert.Contains(errors, e => e.StartsWith("$.cameras[0].detection.policy: 'motoin'", StringComparison.Ordinal) && e.Contains("every-frame, motion, interval", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("$.cameras[0].detection.keepAliveSeconds:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("$.cameras[0].detection.motionThreshold:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("$.cameras[0].detection.intervalFrames:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("$.cameras[0].detection.motionGridSize:", StringComparison.Ordinal));
        Assert.Equal(5, errors.Count);
    }

    [Fact]
    public void Load_DetectionBlockWithTypoAndBadPolicy_ReportsBoth()
    {
        string dir = Directory.CreateTempSubdirectory("edgesentry-policy-").FullName;
        try
        {
            string file = Path.Combine(dir, "config.json");
            var text = ConfigLoader.BuiltInText().Replace(
                "\"analytics\"",
                "\"detection\": { \"policy\": \"sometimes\", \"keepAliveSecond\": 2 }, \"analytics\"",
                StringComparison.Ordinal);
            File.WriteAllText(file, text);

            var e = Assert.Throws<ConfigurationException>(() => ConfigLoader.Load(file));

            Assert.Contains(e.Errors, m => m.Contains("detection.keepAliveSecond: unknown key (did you mean 'keepAliveSeconds'?)", StringComparison.Ordinal));
            Assert.Contains(e.Errors, m => m.Contains("detection.policy: 'sometimes' is not a detection policy", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Frames at 10 fps through Observe, ShouldDetect and Detected, as the reader thread and a worker would; returns the detected pts.</summary>
    private static List<double> Run(DetectionGate gate, int frames, Func<int, byte[]> picture)
    {
        var detected = new List<double>();
        for (int i = 0; i < frames; i++)
        {
            double pts = i / 10.0;
            gate.Observe(new BgrImage(picture(i), Width, Height), pts);
            if (gate.ShouldDetect(pts, i))
            {
                gate.Detected(pts, i);
                detected.Add(pts);
            }
        }

        return detected;
    }

    private static byte[] Picture(int shift)
    {
        var pixels = new byte[Width * Height * 3];
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                pixels.AsSpan(((y * Width) + x) * 3, 3).Fill((byte)(((x + shift) * 7 % 200) + 20));
            }
        }

        return pixels;
    }
}
