using System.Buffers.Binary;
using System.Diagnostics;
using EdgeSentry.Native.TurboJpeg;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Native.TurboJpeg;

public class JpegCompressorTests
{
    [Fact]
    public void Compress_Gradient_RoundTripKeepsSizeAndPixels()
    {
        const int width = 160, height = 90;
        byte[] bgr = Gradient(width, height);
        using var compressor = new JpegCompressor(320, 240);
        using var decompressor = new JpegDecompressor();

        byte[] jpeg = compressor.Compress(bgr, width, height, 0, quality: 90).ToArray();
        var header = decompressor.ReadHeader(jpeg);
        byte[] decoded = new byte[width * height * 3];
        decompressor.Decompress(jpeg, decoded, width, height);

        Assert.Equal((width, height, JpegSubsampling.Yuv420), header);
        Assert.Equal(new byte[] { 0xFF, 0xD8 }, jpeg[..2]);
        Assert.True(Psnr(bgr, decoded) > 30, $"PSNR {Psnr(bgr, decoded):0.0} dB");
    }

    [Fact]
    public async Task Compress_RealFrame_RoundTripPsnrAbove30()
    {
        (byte[] bgr, int width, int height) = await DecodePng(SharedPaths.TestFrame("vtest_f0200.png"));
        using var compressor = new JpegCompressor(width, height);
        using var decompressor = new JpegDecompressor();

        byte[] jpeg = compressor.Compress(bgr, width, height, 0, quality: 85).ToArray();
        byte[] decoded = new byte[bgr.Length];
        decompressor.Decompress(jpeg, decoded, width, height);

        Assert.True(jpeg.Length < bgr.Length / 5, $"{jpeg.Length} bytes for {bgr.Length} raw");
        Assert.True(Psnr(bgr, decoded) > 30, $"PSNR {Psnr(bgr, decoded):0.0} dB");
    }

    [Fact]
    public void Compress_Repeated_AllocatesNothing()
    {
        const int width = 64, height = 48;
        byte[] bgr = Gradient(width, height);
        using var compressor = new JpegCompressor(width, height);
        compressor.Compress(bgr, width, height, 0, 80);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            compressor.Compress(bgr, width, height, 0, 80);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Compress_FrameLargerThanBuffer_ThrowsNamingSizes()
    {
        using var compressor = new JpegCompressor(32, 32);

        var ex = Assert.Throws<ArgumentException>(() => compressor.Compress(new byte[64 * 64 * 3], 64, 64, 0, 80));

        Assert.Contains("64x64", ex.Message);
        Assert.Contains("32x32", ex.Message);
    }

    [Fact]
    public void ReadHeader_NotAJpeg_ThrowsWithTurboJpegMessage()
    {
        using var decompressor = new JpegDecompressor();

        var ex = Assert.Throws<TurboJpegException>(() => decompressor.ReadHeader("not a jpeg at all"u8));

        Assert.StartsWith("tjDecompressHeader3 failed: ", ex.Message);
        Assert.True(ex.Message.Length > "tjDecompressHeader3 failed: ".Length + 5, ex.Message);
    }

    internal static byte[] Gradient(int width, int height)
    {
        byte[] bgr = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int i = ((y * width) + x) * 3;
                bgr[i] = (byte)(x * 255 / width);
                bgr[i + 1] = (byte)(y * 255 / height);
                bgr[i + 2] = 128;
            }
        }

        return bgr;
    }

    internal static double Psnr(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = a[i] - b[i];
            sum += d * d;
        }

        double mse = sum / a.Length;
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse);
    }

    /// <summary>Decodes a PNG to BGR24 with the real ffmpeg (its size comes from the PNG's IHDR chunk).</summary>
    internal static async Task<(byte[] Bgr, int Width, int Height)> DecodePng(string path)
    {
        byte[] png = await File.ReadAllBytesAsync(path);
        int width = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16));
        int height = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20));
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "-hide_banner", "-loglevel", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1" })
        {
            start.ArgumentList.Add(arg);
        }

        Process ffmpeg;
        try
        {
            ffmpeg = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("ffmpeg not found: install ffmpeg (apt-get install ffmpeg) or run scripts/install-prereqs.sh", ex);
        }

        using (ffmpeg)
        {
            Task<string> errors = ffmpeg.StandardError.ReadToEndAsync();
            using var raw = new MemoryStream();
            await ffmpeg.StandardOutput.BaseStream.CopyToAsync(raw);
            await ffmpeg.WaitForExitAsync();
            Assert.True(ffmpeg.ExitCode == 0, await errors);
            Assert.Equal(width * height * 3, raw.Length);
            return (raw.ToArray(), width, height);
        }
    }
}
