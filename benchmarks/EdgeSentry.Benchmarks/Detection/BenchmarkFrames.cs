using System.Buffers.Binary;
using System.Diagnostics;

namespace EdgeSentry.Benchmarks.Detection;

/// <summary>The shared models and test frames for benchmarks (frames decoded once with ffmpeg, at set-up).</summary>
internal static class BenchmarkFrames
{
    public static string Models => Path.Combine(FindShared(), "models");

    public static string Model(string file) => Path.Combine(Models, file);

    public static (byte[] Pixels, int Width, int Height) Load(string png)
    {
        string path = Path.Combine(Models, "testdata", png);
        Span<byte> header = stackalloc byte[24];
        using (var f = File.OpenRead(path))
        {
            f.ReadExactly(header);
        }

        int width = BinaryPrimitives.ReadInt32BigEndian(header[16..]);
        int height = BinaryPrimitives.ReadInt32BigEndian(header[20..]);
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-hide_banner", "-loglevel", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1" })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("ffmpeg did not start (apt-get install ffmpeg)");
        var stderr = p.StandardError.ReadToEndAsync();
        var pixels = new byte[width * height * 3];
        int read = p.StandardOutput.BaseStream.ReadAtLeast(pixels, pixels.Length, throwOnEndOfStream: false);
        p.WaitForExit();
        if (read != pixels.Length || p.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg decoded {read} of {pixels.Length} bytes of {path}: {stderr.Result}");
        }

        return (pixels, width, height);
    }

    private static string FindShared()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeSentry.sln")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
            }
        }

        throw new InvalidOperationException("EdgeSentry.sln not found above " + AppContext.BaseDirectory);
    }
}
