using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EdgeSentry.Planning;

/// <summary>Renders a <see cref="PlanReport"/> as a Markdown table (the README's sizing table) or JSON.</summary>
public static class PlanReportWriter
{
    public static string Json(PlanReport report) => JsonSerializer.Serialize(report, PlanJsonContext.Default.PlanReport);

    public static string Markdown(PlanReport report)
    {
        var i = report.Inputs;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Sizing for a {i.Cores}-core box at {i.DetectionFps:0.##} detections/s per camera, {i.Headroom:0%} headroom, ");
        sb.Append(CultureInfo.InvariantCulture, $"{i.OverheadMsPerDetection:0.##} ms tracking/rules per detection, {i.BaseCores:0.###} cores base; district of {i.DistrictCameras} cameras.\n");
        sb.Append(CultureInfo.InvariantCulture, $"Inference costs from {report.Bench}; load average while measuring decode: {string.Join(" / ", report.LoadAverage.Select(l => l.ToString("0.00", CultureInfo.InvariantCulture)))}.\n\n");

        sb.Append("| decoded stream | clip | frames read | decoder CPU s | reader CPU s | video s | cores per camera |\n|---|---|---:|---:|---:|---:|---:|\n");
        foreach (var d in report.Decode)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {d.Stream} -> {d.OutputFramesPerSecond:0.##} fps | {d.Clip} | {d.FramesRead} | {d.DecoderCpuSeconds:0.00} | {d.ReaderCpuSeconds:0.00} | {d.VideoSeconds:0.0} | {d.CoresPerCamera:0.0000} |\n");
        }

        sb.Append('\n');
        bool predict = report.Rows.Any(r => r.Prediction is not null);
        sb.Append("| model | layout | stream | det/s per camera | decode cores/camera | CPU ms/detection | cores/camera | cameras per box | limit | boxes |");
        sb.Append(predict ? " K cameras: cores | CPU % | det/s |\n" : "\n");
        sb.Append("|---|---|---|---:|---:|---:|---:|---:|---|---:|");
        sb.Append(predict ? "---:|---:|---:|\n" : "\n");
        foreach (var r in report.Rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {r.Model} | {r.Layout} | {r.Stream} | {r.DetectionsPerCamera:0.##} | {r.DecodeCoresPerCamera:0.000} | {r.InferenceCpuMsPerDetection:0.0} | {r.CoresPerCamera:0.000} | **{r.CamerasPerBox}** | {r.Limit} | {(r.Boxes is int b ? b.ToString(CultureInfo.InvariantCulture) : "-")} |");
            if (r.Prediction is { } p)
            {
                sb.Append(CultureInfo.InvariantCulture, $" {p.Cameras}: {p.Cores:0.00} | {p.CpuFraction:0%} | {p.DetectionsPerSecond:0.0}{(p.Saturated ? " (saturated)" : string.Empty)} |");
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }
}
