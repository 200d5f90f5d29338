using System.Text.Json;
using EdgeSentry.Benchmarking;
using EdgeSentry.Tests.Motion;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Benchmarking;

/// <summary>bench's motion figures on a real model, a still scene made by ffmpeg and a busy clip.</summary>
[Collection(ExclusiveCollection.Name)]
public class MotionProbeTests
{
    [Fact]
    public async Task RunAsync_StillAndBusyClip_ReportsMotionFiguresPerClipAndTheMeasuresCost()
    {
        string outDir = Directory.CreateTempSubdirectory("edgesentry-bench-motion-").FullName;
        try
        {
            // 6 s of the empty room with noise and a light ramp, next to a worker walking through a yard.
            string still = FootageFrames.WriteStillClip(Path.Combine(outDir, "still.mp4"), frames: 60);
            string busy = SharedPaths.Clip("intel_worker_zone_preview_h264.mp4");
            var settings = new BenchSettings
            {
                Models = [SharedPaths.Model("yolox_nano.onnx")],
                Footage = [still, busy],
                OutDirectory = outDir,
                MaxFrames = 60,
                SessionRuns = 4,
                Layouts = [new BenchLayout(1, 1)],
            };

            var report = await new BenchEngine(settings).RunAsync(CancellationToken.None);
            var (md, json) = BenchReportWriter.Write(report, outDir);

            var model = Assert.Single(report.Models);
            var motion = model.Motion;
            Assert.NotNull(motion);
            Assert.Equal(2, motion.Clips.Count);
            var s = motion.Clips.Single(c => c.Clip == "still.mp4");
            var b = motion.Clips.Single(c => c.Clip == "intel_worker_zone_preview_h264.mp4");
            foreach (var clip in motion.Clips)
            {
                Assert.Equal(60, clip.Frames);
                Assert.Equal(clip.Frames, clip.FramesDetected + clip.FramesSkipped);
                Assert.InRange(clip.MotionFraction, 0, 1);
                Assert.True(clip.MotionDetectionsPerCameraSecond <= clip.EveryFrameDetectionsPerCameraSecond, $"{clip.Clip}: {clip.MotionDetectionsPerCameraSecond} vs {clip.EveryFrameDetectionsPerCameraSecond}");
            }

            // The still scene has (almost) no motion, the walk has; so the policy detects far less on the still one.
            Assert.True(s.MotionFraction < b.MotionFraction, $"still {s.MotionFraction} vs busy {b.MotionFraction}");
            Assert.True(b.MotionFraction > 0.3, $"busy {b.MotionFraction}");
            Assert.InRange(s.EveryFrameDetectionsPerCameraSecond, 9.9, 10.1);
            // 6 s at one keep-alive frame per 2 s: the first frame and about one every 2 s.
            Assert.InRange(s.FramesDetected, 1, 6);
            Assert.True(s.FramesSkipped >= 50, $"still: {s.FramesSkipped} skipped");
            Assert.True(s.Reduction >= 10, $"still: {s.Reduction}x");
            Assert.True(b.MotionDetectionsPerCameraSecond > 3 * s.MotionDetectionsPerCameraSecond, $"busy {b.MotionDetectionsPerCameraSecond} vs still {s.MotionDetectionsPerCameraSecond}");

            // Every frame measured, every passed-on frame detected, both timed; the measure is far cheaper.
            Assert.Equal(120, motion.MotionMeasure.Samples);
            Assert.Equal(motion.Clips.Sum(c => c.FramesDetected), motion.Detection.Samples);
            Assert.True(motion.MotionMeasure.P50Ms > 0 && motion.Detection.P50Ms > 0);
            Assert.InRange(motion.CostRatio, 0.00001, 0.5);
            Assert.Equal(0, motion.AllocatedBytesPerFrame);

            string markdown = await File.ReadAllTextAsync(md);
            Assert.Contains("| still.mp4 | 60 |", markdown, StringComparison.Ordinal);
            Assert.Contains("of a detection", markdown, StringComparison.Ordinal);
            using var doc = JsonDocument.Parse(await File.ReadAllBytesAsync(json));
            var m = doc.RootElement.GetProperty("models")[0].GetProperty("motion");
            Assert.Equal(2, m.GetProperty("clips").GetArrayLength());
            Assert.Equal(motion.CostRatio, m.GetProperty("costRatio").GetDouble());
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_MotionSwitchedOff_NoMotionFigures()
    {
        string outDir = Directory.CreateTempSubdirectory("edgesentry-bench-motion-").FullName;
        try
        {
            var settings = new BenchSettings
            {
                Models = [SharedPaths.Model("yolox_nano.onnx")],
                Footage = [SharedPaths.Clip("intel_worker_zone_preview_h264.mp4")],
                OutDirectory = outDir,
                MaxFrames = 8,
                SessionRuns = 2,
                Layouts = [new BenchLayout(1, 1)],
                Motion = false,
            };

            var report = await new BenchEngine(settings).RunAsync(CancellationToken.None);

            Assert.Null(Assert.Single(report.Models).Motion);
            Assert.DoesNotContain("of a detection", BenchReportWriter.Markdown(report), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }
}
