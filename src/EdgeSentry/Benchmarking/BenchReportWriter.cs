using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EdgeSentry.Benchmarking;

/// <summary>Writes report.json (every number) and report.md (the tables a person reads) into the out folder.</summary>
public static class BenchReportWriter
{
    public static (string Markdown, string Json) Write(BenchReport report, string directory)
    {
        Directory.CreateDirectory(directory);
        string json = Path.Combine(directory, "report.json");
        string md = Path.Combine(directory, "report.md");
        File.WriteAllBytes(json, JsonSerializer.SerializeToUtf8Bytes(report, BenchJsonContext.Default.BenchReport));
        File.WriteAllText(md, Markdown(report));
        return (md, json);
    }

    public static string Markdown(BenchReport r)
    {
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.AppendLine("# edgesentry bench").AppendLine();
        string frames = r.MaxFrames is int max ? string.Create(c, $"at most {max} frames per clip") : "all frames of every clip";
        s.AppendLine(c, $"Started {r.StartedAt:yyyy-MM-dd HH:mm:ss} UTC, {r.Seconds:0.0} s; {r.ProcessorCount} logical CPUs; ONNX Runtime {r.OnnxRuntimeVersion}; load average {Load(r.LoadAverageAtStart)} at start, {Load(r.LoadAverageAtEnd)} at end; {frames}.");
        s.AppendLine();
        s.AppendLine("## Decode only (all clips in parallel, no detection)").AppendLine();
        s.AppendLine("| clip | size | frames |").AppendLine("|---|---|---:|");
        foreach (var clip in r.DecodeOnly.Clips)
        {
            s.AppendLine(c, $"| {clip.Clip} | {clip.Width}x{clip.Height} | {clip.Frames} |");
        }

        s.AppendLine().AppendLine(c, $"{r.DecodeOnly.Frames} frames in {r.DecodeOnly.Seconds:0.00} s = **{r.DecodeOnly.FramesPerSecond:0.0} frames/s** combined ({r.DecodeOnly.CpuMsPerFrame:0.00} CPU ms per frame).").AppendLine();
        s.AppendLine("## Summary (main run per model)").AppendLine();
        s.AppendLine("| model | layout (KxT) | frames | end-to-end fps | session-only fps | ratio | CPU ratio | decode-only fps | shared-CPU ceiling fps | limit |");
        s.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var m in r.Models)
        {
            var x = m.Main;
            s.AppendLine(c, $"| {m.Model} | {x.Layout} | {x.Frames} | {x.EndToEndFramesPerSecond:0.0} | {x.SessionOnlyFramesPerSecond:0.0} | {x.Ratio:0.00} | {x.CpuRatio:0.00} | {r.DecodeOnly.FramesPerSecond:0.0} | {x.SharedCpuCeilingFramesPerSecond:0.0} | {(x.DecodeLimited ? "decode" : "inference")} |");
        }

        foreach (var m in r.Models)
        {
            s.AppendLine().AppendLine(c, $"## {m.Model} ({m.Family}, input {m.InputWidth}x{m.InputHeight})").AppendLine();
            s.AppendLine("Layouts tried (K sessions x T intra-op threads):").AppendLine();
            s.AppendLine("| layout | session-only fps | end-to-end fps | ratio | CPU ratio | seconds |").AppendLine("|---|---:|---:|---:|---:|---:|");
            foreach (var l in m.Layouts)
            {
                string mark = l.Layout == m.ChosenLayout ? " (chosen)" : string.Empty;
                s.AppendLine(c, $"| {l.Layout}{mark} | {l.SessionOnlyFramesPerSecond:0.0} | {l.EndToEndFramesPerSecond:0.0} | {l.Ratio:0.00} | {l.CpuRatio:0.00} | {l.Seconds:0.00} |");
            }

            var x = m.Main;
            s.AppendLine().AppendLine(c, $"Main run {x.Layout}: {x.Frames} frames processed of {x.FramesDecoded} decoded ({string.Join(", ", x.FramesPerClip.Select(f => string.Create(c, $"{f.Clip}: {f.Frames}")))}).");
            s.AppendLine().AppendLine(x.Verdict + ".").AppendLine();
            s.AppendLine(c, $"Session-only {x.SessionOnlyRuns} runs: {x.SessionOnlyBeforeFramesPerSecond:0.0} frames/s before and {x.SessionOnlyAfterFramesPerSecond:0.0} after the end-to-end run. " +
                $"CPU per frame: session-only {x.SessionOnlyCpuMsPerFrame:0.00} ms, end-to-end {x.EndToEndCpuMsPerFrame:0.00} ms (of which ffmpeg {x.DecoderCpuMsPerFrame:0.00} ms); CPU ratio {x.CpuRatio:0.00}.");
            s.AppendLine();
            s.AppendLine("| stage | p50 ms | p95 ms | p99 ms | mean ms | samples |").AppendLine("|---|---:|---:|---:|---:|---:|");
            foreach (var st in x.Stages)
            {
                s.AppendLine(c, $"| {st.Stage} | {st.P50Ms:0.000} | {st.P95Ms:0.000} | {st.P99Ms:0.000} | {st.MeanMs:0.000} | {st.Samples} |");
            }

            s.AppendLine().AppendLine("Detections per class: " + (x.DetectionsPerClass.Count == 0
                ? "none."
                : string.Join(", ", x.DetectionsPerClass.OrderByDescending(p => p.Value).Select(p => string.Create(c, $"{p.Key} {p.Value}"))) + "."));
            if (m.Batch is { Measured: false } nb)
            {
                s.AppendLine().AppendLine(c, $"Batching (batch {nb.BatchSize}): {nb.Verdict}.");
            }
            else if (m.Batch is { } b)
            {
                s.AppendLine().AppendLine(c, $"Batching (one session, {b.Threads} thread(s), batch {b.BatchSize}): single {b.SingleRunsPerSecond:0.0} runs/s = frames/s, {b.SingleCpuMsPerFrame:0.00} CPU ms per frame; " +
                    $"batched {b.BatchRunsPerSecond:0.0} runs/s = {b.BatchFramesPerSecond:0.0} frames/s, {b.BatchCpuMsPerFrame:0.00} CPU ms per frame. {b.Verdict}.");
            }

            if (m.Motion is { } mo)
            {
                AppendMotion(s, mo);
            }

            if (x.SampleFrames.Count > 0)
            {
                s.AppendLine().AppendLine("Sample frames (the frame with the most detections per clip):").AppendLine();
                foreach (var f in x.SampleFrames)
                {
                    s.AppendLine(c, $"![{f}]({f})");
                }
            }
        }

        s.AppendLine().AppendLine("## Attribution").AppendLine();
        foreach (var line in r.Attribution)
        {
            s.AppendLine("- " + line);
        }

        return s.ToString();
    }

    private static void AppendMotion(StringBuilder s, MotionResult mo)
    {
        var c = CultureInfo.InvariantCulture;
        s.AppendLine().AppendLine(c, $"Motion policy (`\"detection\": {{\"policy\": \"motion\"}}`: keep-alive {mo.KeepAliveSeconds:0.#} s, hold {mo.MotionHoldSeconds:0.#} s, threshold {mo.MotionThreshold:0.####}), each clip as one camera at its own frame rate with a tracker; every-frame = every decoded frame detected:").AppendLine();
        s.AppendLine("| clip | frames | camera-seconds | motion fraction | detections per camera-second, every-frame | motion policy | fewer | frames skipped by the policy |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var clip in mo.Clips)
        {
            s.AppendLine(c, $"| {clip.Clip} | {clip.Frames} | {clip.VideoSeconds:0.0} | {clip.MotionFraction:0.000} | {clip.EveryFrameDetectionsPerCameraSecond:0.00} | {clip.MotionDetectionsPerCameraSecond:0.00} | {clip.Reduction:0.0}x | {clip.FramesSkipped} |");
        }

        s.AppendLine().Append(c, $"Motion measure ({(mo.Vectorised ? "vector" : "scalar")} path) p50 {mo.MotionMeasure.P50Ms:0.000} ms per frame ({mo.MotionMeasure.Samples} frames), ")
            .Append(c, $"one detection ({mo.DetectorThreads} thread(s)) p50 {mo.Detection.P50Ms:0.00} ms ({mo.Detection.Samples} runs), timed in the same pass: ")
            .AppendLine(c, $"the measure costs **{mo.CostRatio * 100:0.00} %** of a detection; {mo.AllocatedBytesPerFrame:0.#} B allocated per frame.");
    }

    private static string Load(double[] load) =>
        load.Length == 0 ? "unknown" : string.Join(" / ", load.Select(l => l.ToString("0.00", CultureInfo.InvariantCulture)));
}
