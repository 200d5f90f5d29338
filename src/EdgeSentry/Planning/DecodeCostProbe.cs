using System.Diagnostics;
using System.Globalization;
using EdgeSentry.Benchmarking;
using EdgeSentry.Capture;

namespace EdgeSentry.Planning;

/// <summary>
/// Measures one camera's decode cost with the service's own decoder: the same ffmpeg arguments
/// (<see cref="FfmpegArguments.Decoder"/>, one thread, fps filter at the detection rate, BGR out), frames read from
/// the pipe into pooled frames. CPU comes from the reaped child's rusage (/proc/self/stat children fields), so a
/// busy neighbour slows the measurement down but hardly changes it. One decoder at a time: the children's
/// CPU counter would otherwise mix them.
/// </summary>
public sealed class DecodeCostProbe
{
    // Camera-like constant bit rate: about 0.08 bit per pixel per frame (4 Mbit/s for 1080p25), at least
    // 256 kbit/s, a 2 s GOP and no B-frames, as IP cameras stream. Upscaled footage at a lower rate would
    // decode cheaper than a real camera.
    private const double BitsPerPixel = 0.08;
    private const int MinBitRate = 256_000;

    private readonly string _workDirectory;

    public DecodeCostProbe(string workDirectory)
    {
        _workDirectory = workDirectory;
    }

    /// <summary>
    /// Decodes up to <paramref name="seconds"/> of <paramref name="clip"/> the way the service would at
    /// <paramref name="detectionFps"/>; with <paramref name="stream"/>, the clip is first re-encoded to that size
    /// and frame rate (the footage's content at a camera's resolution).
    /// </summary>
    public async Task<DecodeCost> MeasureAsync(string clip, StreamFormat? stream, double detectionFps, double seconds, CancellationToken cancellationToken)
    {
        if (!File.Exists(clip))
        {
            throw new FileNotFoundException($"{clip} not found (the footage lives in ../shared/footage)", clip);
        }

        if (!CpuClock.Available)
        {
            throw new PlatformNotSupportedException("decode cost needs /proc/self/stat (Linux) for the decoder's CPU time");
        }

        string source = clip;
        if (stream is not null)
        {
            source = Path.Combine(_workDirectory, $"{Path.GetFileNameWithoutExtension(clip)}-{stream.Width}x{stream.Height}-{stream.FramesPerSecond:0.###}.mp4");
            await EncodeAsync(clip, stream, seconds, source, cancellationToken);
        }

        var input = new CameraInput
        {
            Location = source,
            Realtime = false,
            Loop = false,
            ExtraInputArguments = ["-t", seconds.ToString("0.###", CultureInfo.InvariantCulture)],
        };
        var info = await VideoInfo.ProbeAsync(input, TimeSpan.FromSeconds(30), cancellationToken);
        var (w, h) = FfmpegArguments.DecodeSize(info.Width, info.Height, maxWidth: null, minLongSide: 0);
        double outputFps = Math.Min(detectionFps, info.FramesPerSecond);

        using var pool = new FramePool("plan", w, h, capacity: 2);
        long frames;
        double readerMs;
        var before = CpuClock.Now();
        string lastError;
        using (var decoder = FfmpegDecoder.Start(input, info, w, h, detectionFps))
        {
            // Blocking reads on one thread, as the service's per-camera reader does; that thread's own CPU is the
            // reader's cost (the process total would add JIT and start-up work the service pays once).
            (frames, readerMs) = await Task.Run(
                () =>
                {
                    long n = 0;
                    double start = ThreadCpuMs();
                    using var frame = pool.Rent(cancellationToken);
                    while (!cancellationToken.IsCancellationRequested && decoder.ReadFrame(frame))
                    {
                        n++;
                    }

                    return (n, ThreadCpuMs() - start);
                },
                cancellationToken);
            lastError = decoder.LastError;
        }

        // Disposing the decoder reaped ffmpeg, so its CPU is now in the children's counter.
        var used = CpuClock.Now() - before;
        if (frames == 0)
        {
            throw new CaptureException($"{source}: ffmpeg delivered no frame{(lastError.Length > 0 ? ": " + lastError : string.Empty)}");
        }

        return new DecodeCost(
            Path.GetFileName(clip),
            new StreamFormat(info.Width, info.Height, Math.Round(info.FramesPerSecond, 3)),
            outputFps,
            frames / outputFps,
            frames,
            used.ChildrenMs / 1000.0,
            readerMs / 1000.0);
    }

    /// <summary>User + system CPU of the calling thread (/proc/thread-self/stat, in USER_HZ = 10 ms ticks).</summary>
    private static double ThreadCpuMs()
    {
        string stat = File.ReadAllText("/proc/thread-self/stat");
        var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (double.Parse(f[14 - 3], CultureInfo.InvariantCulture) + double.Parse(f[15 - 3], CultureInfo.InvariantCulture)) * 10.0;
    }

    private static async Task EncodeAsync(string clip, StreamFormat stream, double seconds, string output, CancellationToken cancellationToken)
    {
        if (File.Exists(output))
        {
            return;
        }

        long bitRate = Math.Max(MinBitRate, (long)(stream.Width * stream.Height * stream.FramesPerSecond * BitsPerPixel));
        string fps = stream.FramesPerSecond.ToString("0.###", CultureInfo.InvariantCulture);
        string gop = Math.Max(1, (int)Math.Round(stream.FramesPerSecond * 2)).ToString(CultureInfo.InvariantCulture);
        var psi = new ProcessStartInfo(FfmpegTools.FfmpegPath) { RedirectStandardError = true, UseShellExecute = false };
        string partial = output + ".part.mp4";
        foreach (var a in new[]
        {
            "-hide_banner", "-nostdin", "-loglevel", "error", "-stream_loop", "-1", "-i", clip,
            "-t", seconds.ToString("0.###", CultureInfo.InvariantCulture), "-an", "-sn",
            "-vf", $"scale={stream.Width}:{stream.Height},fps={fps}",
            "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-pix_fmt", "yuv420p", "-g", gop, "-bf", "0",
            "-b:v", bitRate.ToString(CultureInfo.InvariantCulture), "-maxrate", bitRate.ToString(CultureInfo.InvariantCulture),
            "-bufsize", (2 * bitRate).ToString(CultureInfo.InvariantCulture), "-y", partial,
        })
        {
            psi.ArgumentList.Add(a);
        }

        using var process = FfmpegTools.Start(psi);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        finally
        {
            FfmpegTools.KillTree(process);
        }

        string err = (await stderr).Trim();
        if (process.ExitCode != 0)
        {
            throw new CaptureException($"re-encoding {clip} to {stream} failed: {err}");
        }

        File.Move(partial, output, overwrite: true);
    }
}
