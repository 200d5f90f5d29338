using EdgeSentry.Capture;
using EdgeSentry.Detection;
using EdgeSentry.Tests.Peers;
using OpenCvSharp;
using Xunit.Abstractions;

namespace EdgeSentry.Tests.Detection;

public sealed class FramePreprocessorTests(ITestOutputHelper output)
{
    // The largest difference, in 0-255 levels, from OpenCV 4.13's Cv2.Resize + letterbox these tests accept, per
    // kernel; each is what was measured (test output), so any drift fails. INTER_LINEAR shrinking: 0 (bit exact);
    // INTER_LINEAR enlarging: 1 (rounding of the fixed-point vertical pass; only frames smaller than the model
    // input enlarge); INTER_AREA shrinking: 0; INTER_AREA enlarging: 0 (was 182 before BuildBilinearAxis used
    // OpenCV's area-mode weights).
    private const int MaxLinearShrinkDifference = 0;
    private const int MaxLinearEnlargeDifference = 1;
    private const int MaxAreaShrinkDifference = 0;
    private const int MaxAreaEnlargeDifference = 0;

    public static TheoryData<string, string> ManifestsAndFrames()
    {
        var data = new TheoryData<string, string>();
        foreach (var manifest in new[] { "yolox_nano.json", "nanodet_m_416.json", "deimv2_hgnetv2_atto_coco.json", "deimv2_hgnetv2_femto_coco.json" })
        {
            foreach (var frame in TestFrames.GoldenFrames)
            {
                data.Add(manifest, frame);
            }
        }

        return data;
    }

    /// <summary>
    /// Acceptance 2: the fused preprocessing against the OpenCV reference the models were trained with:
    /// Cv2.Resize with the manifest's kernel (INTER_LINEAR or INTER_AREA), pasted into a canvas of the pad value
    /// where the manifest letterboxes. Compared in pixel levels, recovered from the normalised tensor.
    /// </summary>
    [Theory]
    [MemberData(nameof(ManifestsAndFrames))]
    public void Run_GoldenFrame_MatchesOpenCvResizeAndLetterbox(string manifest, string frameName)
    {
        var frame = TestFrames.Load(frameName);
        var (difference, kernel, enlarging) = CompareWithOpenCv(Load(manifest).Input, frame.Pixels, frame.Width, frame.Height);

        int bound = Bound(kernel, enlarging);
        output.WriteLine($"{manifest} {frameName}: {kernel} max |fused - cv2.resize| = {difference} level(s)");
        Assert.True(difference <= bound, $"{manifest} on {frameName}: {kernel} differs from Cv2.Resize by up to {difference} levels (accepted {bound})");
    }

    public static TheoryData<string, int, int> ManifestsAndOddSizes()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var manifest in new[] { "yolox_nano.json", "nanodet_m_416.json", "deimv2_hgnetv2_atto_coco.json" })
        {
            foreach (var (w, h) in new[] { (1920, 1080), (1283, 721), (301, 999), (640, 360), (200, 100), (37, 5) })
            {
                data.Add(manifest, w, h);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ManifestsAndOddSizes))]
    public void Run_NoiseAtOddSizes_MatchesOpenCvResizeAndLetterbox(string manifest, int width, int height)
    {
        byte[] pixels = Noise(width * height * 3, seed: (width * 31) + height);
        var (difference, kernel, enlarging) = CompareWithOpenCv(Load(manifest).Input, pixels, width, height);

        int bound = Bound(kernel, enlarging);
        output.WriteLine($"{manifest} {width}x{height}: {kernel}{(enlarging ? " (enlarging)" : string.Empty)} max |fused - cv2.resize| = {difference} level(s)");
        Assert.True(difference <= bound, $"{manifest} at {width}x{height}: {kernel}{(enlarging ? " enlarging" : string.Empty)} differs from Cv2.Resize by up to {difference} levels (accepted {bound})");
    }

    private static int Bound(ResizeKernel kernel, bool enlarging) =>
        kernel == ResizeKernel.Bilinear ? (enlarging ? MaxLinearEnlargeDifference : MaxLinearShrinkDifference) : enlarging ? MaxAreaEnlargeDifference : MaxAreaShrinkDifference;

    /// <summary>The largest |fused - reference| in levels over the whole tensor (resized area and padding).</summary>
    private static (int Difference, ResizeKernel Kernel, bool Enlarging) CompareWithOpenCv(InputManifest input, byte[] pixels, int width, int height)
    {
        var pre = FramePreprocessor.FromManifest(input);
        var tensor = new float[pre.TensorLength];
        var g = pre.Run(new BgrImage(pixels, width, height), tensor);

        using var source = Mat.FromPixelData(height, width, MatType.CV_8UC3, pixels);
        using var resized = new Mat();
        var interpolation = pre.Kernel == ResizeKernel.Area ? InterpolationFlags.Area : InterpolationFlags.Linear;
        Cv2.Resize(source, resized, new Size(g.ResizedWidth, g.ResizedHeight), 0, 0, interpolation);
        using var reference = new Mat(input.Height, input.Width, MatType.CV_8UC3, Scalar.All(input.PadValue));
        using (var window = new Mat(reference, new Rect(g.OffsetX, g.OffsetY, g.ResizedWidth, g.ResizedHeight)))
        {
            resized.CopyTo(window);
        }

        int plane = input.Width * input.Height;
        int worst = 0;
        for (int p = 0; p < 3; p++)
        {
            int channel = input.ColourOrder == "rgb" ? 2 - p : p;
            float alpha = input.Scale / input.Std[p];
            float beta = -input.Mean[p] / input.Std[p];
            for (int y = 0; y < input.Height; y++)
            {
                for (int x = 0; x < input.Width; x++)
                {
                    int level = (int)MathF.Round((tensor[(p * plane) + (y * input.Width) + x] - beta) / alpha);
                    int expected = reference.At<Vec3b>(y, x)[channel];
                    worst = Math.Max(worst, Math.Abs(level - expected));
                }
            }
        }

        return (worst, pre.Kernel, g.ResizedWidth > width || g.ResizedHeight > height);
    }

    public static TheoryData<string, int, int> ManifestsAndSizes()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var manifest in new[] { "yolox_nano.json", "nanodet_m_416.json", "deimv2_hgnetv2_atto_coco.json" })
        {
            foreach (var (w, h) in new[] { (768, 576), (768, 432), (1283, 721), (301, 999), (37, 5), (416, 416), (500, 200) })
            {
                data.Add(manifest, w, h);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ManifestsAndSizes))]
    public void Run_Vectorised_EqualsScalarReference(string manifest, int width, int height)
    {
        Assert.True(FramePreprocessor.IsVectorised, "this CPU lacks AVX2: the vector path cannot be compared here");
        var pre = FramePreprocessor.FromManifest(Load(manifest).Input);
        byte[] pixels = Noise(width * height * 3, seed: width ^ height);
        var scalar = new float[pre.TensorLength];
        var vector = new float[pre.TensorLength];

        var g1 = pre.RunScalar(new BgrImage(pixels, width, height), scalar);
        var g2 = pre.Run(new BgrImage(pixels, width, height), vector);

        Assert.Equal(g1, g2);
        int firstDiff = scalar.AsSpan().CommonPrefixLength(vector);
        Assert.True(firstDiff == scalar.Length, $"differs at {firstDiff}: scalar {scalar.ElementAtOrDefault(firstDiff)} vector {vector.ElementAtOrDefault(firstDiff)}");
    }

    [Fact]
    public void Run_RealFrameWithPaddedStride_EqualsScalarReference()
    {
        var frame = TestFrames.Load("vtest_f0200.png");
        int stride = (frame.Width * 3) + 64;
        var padded = new byte[stride * frame.Height];
        for (int y = 0; y < frame.Height; y++)
        {
            frame.Pixels.AsSpan(y * frame.Width * 3, frame.Width * 3).CopyTo(padded.AsSpan(y * stride));
        }

        var pre = FramePreprocessor.FromManifest(Load("yolox_nano.json").Input);
        var expected = new float[pre.TensorLength];
        var actual = new float[pre.TensorLength];
        pre.RunScalar(new BgrImage(frame.Pixels, frame.Width, frame.Height), expected);

        pre.Run(new BgrImage(padded, frame.Width, frame.Height, stride), actual);

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Run_YoloxOnVtest_PastesTopLeftAndPadsWith114()
    {
        var pre = FramePreprocessor.FromManifest(Load("yolox_nano.json").Input);
        var tensor = new float[pre.TensorLength];
        var frame = TestFrames.Load("vtest_f0200.png");

        var g = pre.Run(new BgrImage(frame.Pixels, frame.Width, frame.Height), tensor);

        Assert.Equal((416, 312, 0, 0), (g.ResizedWidth, g.ResizedHeight, g.OffsetX, g.OffsetY));
        Assert.All(tensor.AsSpan(312 * 416, 104 * 416).ToArray(), v => Assert.Equal(114f, v));
        Assert.Contains(tensor.AsSpan(0, 312 * 416).ToArray(), v => v != 114f);
    }

    [Fact]
    public void Run_NanoDetOnIntelFrame_CentresAndNormalisesPad()
    {
        var input = Load("nanodet_m_416.json").Input;
        var pre = FramePreprocessor.FromManifest(input);
        var tensor = new float[pre.TensorLength];
        var frame = TestFrames.Load("intel_one_by_one_person_f0300.png");

        var g = pre.Run(new BgrImage(frame.Pixels, frame.Width, frame.Height), tensor);

        // 432 * (416 / 768.0) is 233.99999999999997 in doubles, and the training code truncates it, as here.
        Assert.Equal((416, 233, 0, 91), (g.ResizedWidth, g.ResizedHeight, g.OffsetX, g.OffsetY));
        float padBlue = (0f - input.Mean[0]) / input.Std[0];
        Assert.Equal(padBlue, tensor[0], 5);
        Assert.Equal(padBlue, tensor[(416 * 416) - 1], 5);
        Assert.Equal(padBlue, tensor[(90 * 416) + 200], 5);
        Assert.NotEqual(padBlue, tensor[(91 * 416) + 200]);
    }

    [Fact]
    public void Run_SameSizeBilinear_CopiesPixelsInChannelOrder()
    {
        var pre = new FramePreprocessor(16, 8, ResizeMode.Stretch, ResizeKernel.Bilinear, rgb: true, padValue: 0, scale: 1f, [0, 0, 0], [1, 1, 1]);
        byte[] pixels = Noise(16 * 8 * 3, seed: 3);
        var tensor = new float[pre.TensorLength];

        pre.Run(new BgrImage(pixels, 16, 8), tensor);

        for (int i = 0; i < 16 * 8; i++)
        {
            Assert.Equal(pixels[(i * 3) + 2], tensor[i]);
            Assert.Equal(pixels[(i * 3) + 1], tensor[(16 * 8) + i]);
            Assert.Equal(pixels[i * 3], tensor[(2 * 16 * 8) + i]);
        }
    }

    [Fact]
    public void Run_HalvingWithArea_AveragesTwoByTwoBlocks()
    {
        var pre = new FramePreprocessor(2, 1, ResizeMode.Stretch, ResizeKernel.Area, rgb: false, padValue: 0, scale: 1f, [0, 0, 0], [1, 1, 1]);
        byte[] pixels =
        [
            10, 0, 0, 20, 0, 0, 30, 0, 0, 40, 0, 0,
            50, 0, 0, 60, 0, 0, 70, 0, 0, 81, 0, 0,
        ];
        var tensor = new float[pre.TensorLength];

        pre.RunScalar(new BgrImage(pixels, 4, 2), tensor);

        Assert.Equal(35f, tensor[0]);
        Assert.Equal(55f, tensor[1]);
    }

    [Fact]
    public void Run_AfterWarmUp_AllocatesNothing()
    {
        var pre = FramePreprocessor.FromManifest(Load("yolox_nano.json").Input);
        var frame = TestFrames.Load("vtest_f0200.png");
        var tensor = new float[pre.TensorLength];
        pre.Run(new BgrImage(frame.Pixels, frame.Width, frame.Height), tensor);

        long before = GC.GetAllocatedBytesForCurrentThread();
        pre.Run(new BgrImage(frame.Pixels, frame.Width, frame.Height), tensor);
        pre.RunScalar(new BgrImage(frame.Pixels, frame.Width, frame.Height), tensor);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    internal static ModelManifest Load(string manifest) => ModelManifest.Load(Path.Combine(ModelManifest.DefaultDirectory, manifest));

    private static byte[] Noise(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
