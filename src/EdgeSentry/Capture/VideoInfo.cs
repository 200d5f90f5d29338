using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace EdgeSentry.Capture;

/// <summary>What ffprobe says about a source's first video stream.</summary>
public sealed record VideoInfo(int Width, int Height, double FramesPerSecond, bool IsLive)
{
    /// <summary>
    /// Runs ffprobe on a file or stream. Errors name the (redacted) source and carry ffprobe's own reason,
    /// e.g. "Connection refused" or "No such file or directory".
    /// </summary>
    public static async Task<VideoInfo> ProbeAsync(CameraInput input, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(FfmpegTools.FfprobePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-v", "error", "-hide_banner" })
        {
            psi.ArgumentList.Add(a);
        }

        FfmpegArguments.AddInputOptions(psi.ArgumentList, input, forProbe: true);
        foreach (var a in new[] { "-select_streams", "v:0", "-show_entries", "stream=width,height,avg_frame_rate,r_frame_rate", "-of", "json", input.Location })
        {
            psi.ArgumentList.Add(a);
        }

        using var process = FfmpegTools.Start(psi);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            string json = await stdout;
            string err = (await stderr).Trim();
            return Parse(json, input, process.ExitCode, err);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            FfmpegTools.KillTree(process);
            throw new CaptureException($"{input.Redacted}: no answer from the source within {timeout.TotalSeconds:0} s (is it reachable?)");
        }
        finally
        {
            FfmpegTools.KillTree(process);
        }
    }

    internal static VideoInfo Parse(string json, CameraInput input, int exitCode, string stderr)
    {
        if (exitCode != 0)
        {
            string reason = string.IsNullOrWhiteSpace(stderr) ? $"ffprobe exited with code {exitCode}" : UrlRedactor.Redact(LastLine(stderr));
            throw new CaptureException($"{input.Redacted}: cannot open: {reason}");
        }

        using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
        if (!doc.RootElement.TryGetProperty("streams", out var streams) || streams.GetArrayLength() == 0)
        {
            throw new CaptureException($"{input.Redacted}: no video stream found");
        }

        var s = streams[0];
        int w = s.TryGetProperty("width", out var we) ? we.GetInt32() : 0;
        int h = s.TryGetProperty("height", out var he) ? he.GetInt32() : 0;
        if (w <= 0 || h <= 0)
        {
            throw new CaptureException($"{input.Redacted}: video stream has no usable size ({w}x{h})");
        }

        double fps = Rate(s, "avg_frame_rate");
        if (fps is <= 0 or > 240)
        {
            fps = Rate(s, "r_frame_rate");
        }

        if (fps is <= 0 or > 240)
        {
            fps = 25;
        }

        return new VideoInfo(w, h, fps, input.IsLive);
    }

    private static double Rate(JsonElement s, string name)
    {
        if (!s.TryGetProperty(name, out var e) || e.GetString() is not { } text)
        {
            return 0;
        }

        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;
        }

        return double.TryParse(text.AsSpan(0, slash), NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
            && double.TryParse(text.AsSpan(slash + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d > 0
            ? n / d
            : 0;
    }

    private static string LastLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? text : lines[^1];
    }
}
