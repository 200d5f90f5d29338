using System.CommandLine;
using System.Globalization;
using EdgeSentry.Capture;
using EdgeSentry.Configuration;
using EdgeSentry.Planning;

namespace EdgeSentry.Cli;

/// <summary>
/// <c>edgesentry plan --bench DIR|report.json [--footage F1,F2] [--resolution WxH@fps,...] [--cores N]
/// [--detection-fps F] [--cameras N] [--headroom 0.2] [--predict K] [--json] [--out DIR]</c>: measures decode cost per stream
/// the way the service decodes, takes inference cost per model and layout from a bench report, and prints cameras
/// per box and boxes for the district.
/// </summary>
internal static class PlanCommand
{
    private const string DefaultClip = "intel_indoor_people_one_by_one_h264.mp4";

    public static Command Create()
    {
        var bench = new Option<string>("--bench") { Description = "A bench report.json, or the bench --out folder holding one (inference CPU per model and layout).", Required = true };
        var footage = new Option<string?>("--footage") { Description = $"Comma-separated clips to decode (default ${{shared}}/footage/{DefaultClip})." };
        var resolution = new Option<string?>("--resolution") { Description = "Comma-separated streams as decoded, WxH@fps (e.g. 1920x1080@25,640x360@10): the footage is re-encoded to each first. Default: the clips as they are." };
        var cores = new Option<int>("--cores") { Description = "Cores of the box (default: this box).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var fps = new Option<double>("--detection-fps") { Description = "Detections per second per camera (the cameras' maxFps).", DefaultValueFactory = _ => 5 };
        var cameras = new Option<int>("--cameras") { Description = "Cameras in the district.", DefaultValueFactory = _ => 958 };
        var headroom = new Option<double>("--headroom") { Description = "Fraction of the CPU kept free.", DefaultValueFactory = _ => 0.2 };
        var overhead = new Option<double>("--overhead-ms") { Description = "Tracking/rules CPU ms per detection.", DefaultValueFactory = _ => 0.5 };
        var baseCores = new Option<double>("--base-cores") { Description = "The service's fixed cost in cores.", DefaultValueFactory = _ => 0.02 };
        var seconds = new Option<double>("--decode-seconds") { Description = "Seconds of video decoded per measurement.", DefaultValueFactory = _ => 20 };
        var predict = new Option<int?>("--predict") { Description = "Also predict CPU and detections/s for exactly K cameras on this box (no headroom)." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of Markdown." };
        var output = new Option<string?>("--out", "-o") { Description = "Also write plan.md and plan.json into this folder." };
        var command = new Command("plan", "Size a deployment from measured costs: cameras per box at a detection rate, boxes for N cameras.")
        {
            bench, footage, resolution, cores, fps, cameras, headroom, overhead, baseCores, seconds, predict, json, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            string work = Directory.CreateTempSubdirectory("edgesentry-plan-").FullName;
            try
            {
                var inputs = new SizingInputs
                {
                    Cores = Positive(parse.GetValue(cores), "--cores"),
                    DetectionFps = parse.GetValue(fps) is > 0 and <= 120 and var f ? f : throw new ArgumentException("--detection-fps must be in (0, 120]"),
                    DistrictCameras = Positive(parse.GetValue(cameras), "--cameras"),
                    Headroom = parse.GetValue(headroom) is >= 0 and < 1 and var h ? h : throw new ArgumentException("--headroom must be in [0, 1)"),
                    OverheadMsPerDetection = parse.GetValue(overhead) is >= 0 and var o ? o : throw new ArgumentException("--overhead-ms must not be negative"),
                    BaseCores = parse.GetValue(baseCores) is >= 0 and var b ? b : throw new ArgumentException("--base-cores must not be negative"),
                    PredictCameras = parse.GetValue(predict) is int k ? Positive(k, "--predict") : null,
                };
                double decodeSeconds = parse.GetValue(seconds) is > 0 and var s ? s : throw new ArgumentException("--decode-seconds must be positive");
                string benchPath = parse.GetValue(bench)!;
                var inference = BenchCosts.Load(benchPath);
                var clips = List(parse.GetValue(footage)) is { Count: > 0 } given
                    ? given
                    : [Path.Combine(ConfigLoader.SharedDirectory(), "footage", DefaultClip)];
                var streams = List(parse.GetValue(resolution)).Select(StreamFormat.Parse).Select(x => (StreamFormat?)x).ToList();
                if (streams.Count == 0)
                {
                    streams.Add(null);
                }

                var probe = new DecodeCostProbe(work);
                double[] load = LoadAverage();
                var decode = new List<DecodeCost>();
                foreach (var stream in streams)
                {
                    foreach (var clip in clips)
                    {
                        Console.Error.WriteLine($"plan: decoding {Path.GetFileName(clip)}{(stream is null ? string.Empty : " as " + stream)} at {inputs.DetectionFps.ToString(CultureInfo.InvariantCulture)} fps ...");
                        decode.Add(await probe.MeasureAsync(clip, stream, inputs.DetectionFps, decodeSeconds, ct));
                    }
                }

                var report = new PlanReport
                {
                    At = DateTimeOffset.UtcNow,
                    Inputs = inputs,
                    Bench = Path.GetFullPath(benchPath),
                    LoadAverage = load,
                    Decode = decode,
                    Inference = inference,
                    Rows = [.. inference.SelectMany(m => decode.Select(d => SizingPlanner.Size(inputs, d, m)))],
                };
                string markdown = PlanReportWriter.Markdown(report);
                string jsonText = PlanReportWriter.Json(report) + "\n";
                if (parse.GetValue(output) is { } dir)
                {
                    Directory.CreateDirectory(dir);
                    File.WriteAllText(Path.Combine(dir, "plan.md"), markdown);
                    File.WriteAllText(Path.Combine(dir, "plan.json"), jsonText);
                }

                Console.Out.Write(parse.GetValue(json) ? jsonText : markdown);
                return 0;
            }
            catch (Exception e) when (e is CaptureException or IOException or InvalidDataException or ArgumentException or PlatformNotSupportedException)
            {
                Console.Error.WriteLine("edgesentry plan: " + UrlRedactor.Redact(e.Message));
                return 1;
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }
        });
        return command;
    }

    private static List<string> List(string? text) =>
        text is null ? [] : [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static int Positive(int value, string option) =>
        value >= 1 ? value : throw new ArgumentException($"{option} {value} must be positive");

    private static double[] LoadAverage()
    {
        try
        {
            return [.. File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Select(x => double.Parse(x, CultureInfo.InvariantCulture))];
        }
        catch (IOException)
        {
            return [];
        }
    }
}
