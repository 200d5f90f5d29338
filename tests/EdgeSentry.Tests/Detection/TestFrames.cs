using System.Buffers.Binary;
using System.Diagnostics;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Detection;

/// <summary>A decoded test frame: packed BGR24 pixels.</summary>
public sealed record TestFrame(string Name, byte[] Pixels, int Width, int Height);

/// <summary>Decodes the shared test PNGs to BGR24 with the real ffmpeg (the decoder the service uses).</summary>
public static class TestFrames
{
    public static readonly string[] GoldenFrames = ["vtest_f0200.png", "vtest_f0600.png", "intel_one_by_one_person_f0300.png"];

    private static readonly Dictionary<string, TestFrame> Cache = [];
    private static readonly Lock Gate = new();

    public static TestFrame Load(string fileName)
    {
        lock (Gate)
        {
            if (!Cache.TryGetValue(fileName, out var frame))
            {
                frame = Decode(SharedPaths.TestFrame(fileName));
                Cache[fileName] = frame;
            }

            return frame;
        }
    }

    private static TestFrame Decode(string path)
    {
        // PNG: 8-byte signature, then the IHDR chunk whose data starts with big-endian width and height.
        Span<byte> header = stackalloc byte[24];
        using (var f = File.OpenRead(path))
        {
            f.ReadExactly(header);
        }

        int width = BinaryPrimitives.ReadInt32BigEndian(header[16..]);
        int height = BinaryPrimitives.ReadInt32BigEndian(header[20..]);

        var psi = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-hide_banner", "-loglevel", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1" })
        {
            psi.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("ffmpeg did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("ffmpeg is not installed: run scripts/install-prereqs.sh (apt-get install ffmpeg)", e);
        }

        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var pixels = new byte[width * height * 3];
            int read = process.StandardOutput.BaseStream.ReadAtLeast(pixels, pixels.Length, throwOnEndOfStream: false);
            process.WaitForExit();
            if (process.ExitCode != 0 || read != pixels.Length)
            {
                throw new InvalidOperationException(
                    $"ffmpeg decoded {read} of {pixels.Length} bytes of {path} (exit {process.ExitCode}): {stderr.Result}");
            }

            return new TestFrame(Path.GetFileName(path), pixels, width, height);
        }
    }
}
