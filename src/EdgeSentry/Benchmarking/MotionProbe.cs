using System.Diagnostics;
using System.Globalization;
using EdgeSentry.Capture;
using EdgeSentry.Detection;
using EdgeSentry.Motion;
using EdgeSentry.Rules;
using EdgeSentry.Tracking;

namespace EdgeSentry.Benchmarking;

/// <summary>
/// Replays the motion policy on every clip as one camera: each decoded frame is measured for motion by the
/// service's own <see cref="DetectionGate"/>, the frames it passes on are detected and go to a tracker (the
/// policy keeps full rate while a track is live), the others are counted as skipped. Every-frame detection
/// runs the detector on all of them (what the end-to-end run does). The motion measure and the detections are
/// timed on the same thread in the same pass, so their ratio is side by side whatever the neighbours do.
/// </summary>
internal static class MotionProbe
{
    private const int MaxDetections = 512;

    public static MotionResult Measure(string modelPath, ModelManifest manifest, DetectorOptions options, IReadOnlyList<ClipSource> clips, int? maxFrames, BenchProgress? progress, CancellationToken ct)
    {
        var policy = new DetectionPolicySection { Policy = "motion" };
        using var detector = OnnxObjectDetector.Open(modelPath, options);
        var results = new Detection.Detection[MaxDetections];
        var trackerDefaults = TrackerOptions.ForModel(manifest.TrackBirth);
        var sink = new DiscardSink();
        var motionMs = new LatencySamples(1024);
        var detectMs = new LatencySamples(1024);
        long allocated = 0;
        long allocatedFrames = 0;
        var perClip = new List<MotionClipResult>();
        progress?.Start(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(modelPath)} motion policy (clips one after the other)"), 0);
        foreach (var clip in clips)
        {
            var engine = new CameraRuleEngine(clip.Name, new CameraRulesDefinition(), detector.Labels, TimeProvider.System, trackerDefaults);
            var gate = new DetectionGate(policy, liveTracks: () => TrackActivity.Live(engine.Tracker.Tracks));
            double fps = clip.Info.FramesPerSecond > 0 ? clip.Info.FramesPerSecond : 25;
            using var pool = new FramePool(clip.Name, clip.Info.Width, clip.Info.Height, 2);
            using var decoder = FfmpegDecoder.Start(clip.Input, clip.Info, clip.Info.Width, clip.Info.Height, null);
            long frames = 0;
            while (maxFrames is not int max || frames < max)
            {
                using var frame = pool.Rent(ct);
                if (!decoder.ReadFrame(frame))
                {
                    break;
                }

                // Stream time from the frame count: the decoder delivers every frame at the clip's rate.
                double pts = frames / fps;
                long sequence = frames++;
                long bytes = GC.GetAllocatedBytesForCurrentThread();
                long t0 = Stopwatch.GetTimestamp();
                gate.Observe(frame.Image, pts);
                long t1 = Stopwatch.GetTimestamp();
                if (sequence > 0)
                {
                    // The first frame sizes the measure's buffers, once per camera.
                    allocated += GC.GetAllocatedBytesForCurrentThread() - bytes;
                    allocatedFrames++;
                }

                motionMs.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
                if (gate.ShouldDetect(pts, sequence))
                {
                    long t2 = Stopwatch.GetTimestamp();
                    int n = detector.Detect(frame.Image, results);
                    detectMs.Add(Stopwatch.GetElapsedTime(t2).TotalMilliseconds);
                    engine.Process(results.AsSpan(0, n), frame.Width, frame.Height, pts, DateTimeOffset.UnixEpoch.AddSeconds(pts), sink);
                    gate.Detected(pts, sequence);
                }

                progress?.Advance();
            }

            if (frames == 0)
            {
                throw new CaptureException($"{clip.Input.Redacted}: no frame could be decoded ({decoder.LastError})");
            }

            double seconds = frames / fps;
            perClip.Add(new MotionClipResult
            {
                Clip = clip.Name,
                Frames = frames,
                VideoSeconds = Math.Round(seconds, 3),
                MotionFraction = Math.Round(gate.MotionFraction, 4),
                FramesDetected = gate.FramesDetected,
                FramesSkipped = gate.FramesSkipped,
                EveryFrameDetectionsPerCameraSecond = Math.Round(frames / seconds, 3),
                MotionDetectionsPerCameraSecond = Math.Round(gate.FramesDetected / seconds, 3),
                Reduction = Math.Round((double)frames / Math.Max(1, gate.FramesDetected), 2),
            });
        }

        var motion = LatencySamples.Summarise("motion measure", [motionMs]);
        var detection = LatencySamples.Summarise("one detection", [detectMs]);
        return new MotionResult
        {
            KeepAliveSeconds = policy.KeepAliveSeconds,
            MotionHoldSeconds = policy.MotionHoldSeconds,
            MotionThreshold = policy.MotionThreshold,
            Vectorised = MotionDetector.IsVectorised,
            DetectorThreads = options.IntraOpThreads,
            Clips = perClip,
            MotionMeasure = motion,
            Detection = detection,
            CostRatio = detection.P50Ms > 0 ? Math.Round(motion.P50Ms / detection.P50Ms, 4) : 0,
            AllocatedBytesPerFrame = allocatedFrames > 0 ? Math.Round((double)allocated / allocatedFrames, 2) : 0,
        };
    }

    /// <summary>The replay has no rules: nothing is published.</summary>
    private sealed class DiscardSink : IIncidentSink
    {
        public void Publish(IncidentEvent incident)
        {
        }
    }
}
