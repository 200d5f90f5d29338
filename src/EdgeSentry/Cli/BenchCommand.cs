using System.CommandLine;
using EdgeSentry.Benchmarking;
using EdgeSentry.Capture;

namespace EdgeSentry.Cli;

/// <summary>
/// <c>edgesentry bench --models M1,M2 --footage F1,F2 [--out DIR] [--workers K] [--threads T] [--layouts auto|KxT,...]
/// [--max-frames N] [--batch N] [--provider cpu|cuda|tensorrt] [--no-motion]</c>: decode-only, session-only and end-to-end throughput per model,
/// the motion policy replayed per clip, with a Markdown and JSON report and annotated sample frames in the out folder.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var models = new Option<string>("--models") { Description = "Comma-separated .onnx models (their manifests in models/ say how to run them).", Required = true };
        var footage = new Option<string>("--footage") { Description = "Comma-separated clips, decoded in parallel (one ffmpeg each).", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Report folder (report.md, report.json, samples/).", DefaultValueFactory = _ => "bench-out" };
        var workers = new Option<int?>("--workers") { Description = $"K inference sessions (default {BenchLayout.Default.Workers})." };
        var threads = new Option<int?>("--threads") { Description = $"T intra-op threads per session (default {BenchLayout.Default.Threads})." };
        var layouts = new Option<string?>("--layouts") { Description = "auto (tries 1x1, 1x2, 2x1 and keeps the best) or a list of KxT layouts, e.g. 1x2,2x1." };
        var maxFrames = new Option<int?>("--max-frames") { Description = "At most this many frames per clip (default: all)." };
        var batch = new Option<int?>("--batch") { Description = "Also compare N frames per Run with N single runs (models with a dynamic batch dimension)." };
        var provider = new Option<string>("--provider", "--execution-provider") { Description = "Execution provider: cpu (default), cuda or tensorrt (the last two need the GPU build flavour).", DefaultValueFactory = _ => Detection.ExecutionProviders.Cpu };
        var noMotion = new Option<bool>("--no-motion") { Description = "Skip the motion-policy replay (motion fraction and detections per camera-second per clip, the measure's cost next to a detection)." };
        var runs = new Option<int>("--session-runs") { Description = "Session-only runs per session (half before, half after the end-to-end run).", DefaultValueFactory = _ => 200 };
        var command = new Command("bench", "Measure detectors on footage: throughput, per-stage latency, detections; writes a report.")
        {
            models, footage, output, workers, threads, layouts, maxFrames, batch, runs, provider, noMotion,
        };
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var settings = new BenchSettings
                {
                    Models = List(parse.GetValue(models)!, "--models"),
                    Footage = List(parse.GetValue(footage)!, "--footage"),
                    OutDirectory = parse.GetValue(output)!,
                    Layouts = Layouts(parse.GetValue(layouts), parse.GetValue(workers), parse.GetValue(threads)),
                    MaxFrames = Positive(parse.GetValue(maxFrames), "--max-frames"),
                    BatchSize = parse.GetValue(batch),
                    SessionRuns = Positive(parse.GetValue(runs), "--session-runs") ?? 200,
                    ExecutionProvider = parse.GetValue(provider)!,
                    Motion = !parse.GetValue(noMotion),
                };
                using var progress = new BenchProgress(Console.Error);
                var report = await new BenchEngine(settings, progress).RunAsync(ct);
                progress.Dispose();
                var (md, json) = BenchReportWriter.Write(report, settings.OutDirectory);
                Console.Out.Write(BenchReportWriter.Markdown(report));
                Console.Error.WriteLine($"report: {md} and {json}");
                return 0;
            }
            catch (Exception e) when (e is CaptureException or IOException or InvalidDataException or ArgumentException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException or DllNotFoundException or InvalidOperationException)
            {
                Console.Error.WriteLine();
                Console.Error.WriteLine("edgesentry bench: " + UrlRedactor.Redact(e.Message));
                return 1;
            }
        });
        return command;
    }

    private static List<string> List(string text, string option)
    {
        var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        return items.Count > 0 ? items : throw new ArgumentException($"{option} needs at least one file");
    }

    private static int? Positive(int? value, string option) =>
        value is int v && v < 1 ? throw new ArgumentException($"{option} {v} must be positive") : value;

    private static List<BenchLayout> Layouts(string? text, int? workers, int? threads)
    {
        if (text is not null && (workers is not null || threads is not null))
        {
            throw new ArgumentException("--layouts and --workers/--threads exclude each other");
        }

        if (text is null)
        {
            return [BenchLayout.Parse($"{workers ?? BenchLayout.Default.Workers}x{threads ?? BenchLayout.Default.Threads}")];
        }

        if (text.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            return [.. BenchLayout.Auto];
        }

        return [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(BenchLayout.Parse).Distinct()];
    }
}
