using System.Diagnostics;
using EdgeSentry.Capture;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Motion;

/// <summary>Real frames for the motion tests: a clip through the service's own probe and ffmpeg decoder, or a still scene made by ffmpeg.</summary>
public static class FootageFrames
{
    /// <summary>Every decoded frame of <paramref name="path"/> (pts = frame number / fps), up to <paramref name="maxFrames"/>, each valid during the call.</summary>
    public static async Task<int> ForEachAsync(string path, Action<Frame, double> onFrame, int maxFrames = int.MaxValue, int stride = 1)
    {
        var input = new CameraInput { Location = path };
        var info = await VideoInfo.ProbeAsync(input, TimeSpan.FromSeconds(30), CancellationToken.None);
        using var pool = new FramePool("footage", info.Width, info.Height, 2);
        using var decoder = FfmpegDecoder.Start(input, info, info.Width, info.Height, null);
        int n = 0;
        while (n < maxFrames)
        {
            using var frame = pool.Rent(CancellationToken.None);
            if (!decoder.ReadFrame(frame))
            {
                break;
            }

            if (n % stride == 0)
            {
                onFrame(frame, n / info.FramesPerSecond);
            }

            n++;
        }

        if (n == 0)
        {
            throw new InvalidOperationException($"ffmpeg decoded no frame of {path} (exit {decoder.ExitCode}): {decoder.LastError}");
        }

        return n;
    }

    /// <summary>
    /// A still scene: the frame of <paramref name="clip"/> at <paramref name="atSeconds"/>, repeated at
    /// <paramref name="fps"/> for <paramref name="seconds"/>, with ffmpeg's temporal noise (sensor-like grain,
    /// strength <paramref name="noise"/>) and a brightness ramp of <paramref name="brightnessPerSecond"/> (eq
    /// filter units, 1 = full scale) added. Calls back with BGR24 pixels, size and pts.
    /// </summary>
    public static int ForEachStill(string clip, double atSeconds, double seconds, int fps, int noise, double brightnessPerSecond, Action<byte[], int, int, double> onFrame)
    {
        var (width, height) = Size(clip);
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        int frames = (int)Math.Round(seconds * fps);
        string filter = FormattableString.Invariant(
            $"select=eq(n\\,0),loop=loop={frames}:size=1:start=0,setpts=N/{fps}/TB,noise=alls={noise}:allf=t,eq=brightness={brightnessPerSecond}*t:eval=frame");
        foreach (var a in new[]
        {
            "-hide_banner", "-loglevel", "error", "-ss", atSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", clip,
            "-vf", filter, "-frames:v", frames.ToString(System.Globalization.CultureInfo.InvariantCulture), "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1",
        })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("ffmpeg did not start: apt-get install ffmpeg");
        var stderr = p.StandardError.ReadToEndAsync();
        var pixels = new byte[width * height * 3];
        int n = 0;
        while (p.StandardOutput.BaseStream.ReadAtLeast(pixels, pixels.Length, throwOnEndOfStream: false) == pixels.Length)
        {
            onFrame(pixels, width, height, (double)n / fps);
            n++;
        }

        p.WaitForExit();
        if (n == 0 || p.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg made {n} still frames of {clip} (exit {p.ExitCode}): {stderr.Result}");
        }

        return n;
    }

    /// <summary>
    /// Writes <paramref name="frames"/> frames at 10 fps of one frame of the indoor clip (the empty room at 2 s) with
    /// sensor-like temporal noise and a slow brightness ramp, as H.264 to <paramref name="output"/>, and returns it.
    /// </summary>
    public static string WriteStillClip(string output, int frames = 100)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        string n = frames.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var a in new[]
        {
            "-hide_banner", "-loglevel", "error", "-ss", "2", "-i", SharedPaths.Clip("intel_indoor_people_one_by_one_h264.mp4"),
            "-vf", $"select=eq(n\\,0),loop=loop={n}:size=1:start=0,setpts=N/10/TB,noise=alls=8:allf=t,eq=brightness=0.004*t:eval=frame",
            "-frames:v", n, "-r", "10", "-c:v", "libx264", "-pix_fmt", "yuv420p", output,
        })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("ffmpeg did not start: apt-get install ffmpeg");
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 && File.Exists(output) ? output : throw new InvalidOperationException($"ffmpeg could not make the still clip: {err}");
    }

    private static (int Width, int Height) Size(string clip)
    {
        var info = VideoInfo.ProbeAsync(new CameraInput { Location = clip }, TimeSpan.FromSeconds(30), CancellationToken.None).GetAwaiter().GetResult();
        return (info.Width, info.Height);
    }
}
