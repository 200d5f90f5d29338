using System.Text.Json;
using EdgeSentry.Pictures;
using EdgeSentry.Tests.Detection;
using EdgeSentry.Tests.Peers;
using EdgeSentry.Tests.Pictures;
using OpenCvSharp;
using Xunit.Abstractions;

namespace EdgeSentry.Tests.Cli;

/// <summary>`detect --out` with the real executable: pictures and an MP4 that real decoders (OpenCV, ffprobe) read.</summary>
public sealed class DetectOutTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("annotated.jpg", 60)]
    [InlineData("annotated.png", 0)]
    public async Task Detect_OutPicture_DecodesAtFrameSizeWithPersonBoxes(string name, int tolerance)
    {
        var frame = TestFrames.Load("vtest_f0200.png");
        string path = Path.Combine(Directory.CreateTempSubdirectory("edgesentry-detect-out-").FullName, name);

        var run = await CliProcess.RunEdgeSentryAsync("detect", "--model", SharedPaths.Model("yolox_nano.onnx"), "--input", SharedPaths.TestFrame("vtest_f0200.png"), "--out", path);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("person", run.Stdout, StringComparison.Ordinal);
        using Mat picture = Cv2.ImRead(path, ImreadModes.Color);
        Assert.False(picture.Empty(), $"{path} does not decode");
        Assert.Equal((frame.Width, frame.Height), (picture.Width, picture.Height));
        using Mat original = Mat.FromPixelData(frame.Height, frame.Width, MatType.CV_8UC3, frame.Pixels);
        var all = new Rect(0, 0, frame.Width, frame.Height);
        int drawn = PictureAssertions.Count(picture, all, ClassPalette.For(0), tolerance);
        int before = PictureAssertions.Count(original, all, ClassPalette.For(0), tolerance);
        Assert.True(drawn - before > 500, $"{drawn} person-coloured pixels in the picture, {before} in the frame: no person boxes drawn");
    }

    [Fact]
    public async Task Detect_OutMp4_FfprobeReadsEveryFrameAtClipSize()
    {
        const int frames = 25;
        string path = Path.Combine(Directory.CreateTempSubdirectory("edgesentry-detect-out-").FullName, "annotated.mp4");

        var run = await CliProcess.RunEdgeSentryAsync("detect", "--model", SharedPaths.Model("yolox_nano.onnx"), "--input", SharedPaths.Clip("intel_parking_cars.mp4"), "--max-frames", $"{frames}", "--out", path);

        Assert.True(run.ExitCode == 0, run.Stderr);
        output.WriteLine(run.Stderr);
        var probe = await CliProcess.RunAsync("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "json", path], capSeconds: 60);
        Assert.True(probe.ExitCode == 0, "ffprobe (apt-get install ffmpeg): " + probe.Stderr);
        output.WriteLine(probe.Stdout);
        using var json = JsonDocument.Parse(probe.Stdout);
        var stream = json.RootElement.GetProperty("streams")[0];
        Assert.Equal((768, 432), (stream.GetProperty("width").GetInt32(), stream.GetProperty("height").GetInt32()));
        Assert.Equal(frames.ToString(System.Globalization.CultureInfo.InvariantCulture), stream.GetProperty("nb_read_frames").GetString());
        Assert.Contains(stream.GetProperty("codec_name").GetString(), new[] { "h264", "mpeg4" });
    }
}
