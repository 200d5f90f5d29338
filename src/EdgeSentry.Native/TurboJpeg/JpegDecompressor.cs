namespace EdgeSentry.Native.TurboJpeg;

/// <summary>Decodes JPEG to packed BGR24 (tests and tools: checking what the alert path encoded). Not thread safe.</summary>
public sealed unsafe class JpegDecompressor : IDisposable
{
    private readonly TurboJpegHandle handle = TurboJpegHandle.Create(TurboJpegNative.InitDecompress(), "tjInitDecompress");

    public (int Width, int Height, JpegSubsampling Subsampling) ReadHeader(ReadOnlySpan<byte> jpeg)
    {
        int width, height, subsampling, colorspace;
        fixed (byte* source = jpeg)
        {
            int rc = TurboJpegNative.DecompressHeader3(handle, source, (nuint)jpeg.Length, &width, &height, &subsampling, &colorspace);
            TurboJpegException.ThrowIfFailed(rc, handle, "tjDecompressHeader3");
        }

        return (width, height, (JpegSubsampling)subsampling);
    }

    /// <summary>Decodes into <paramref name="bgr"/>, which must hold width × height × 3 bytes.</summary>
    public void Decompress(ReadOnlySpan<byte> jpeg, Span<byte> bgr, int width, int height)
    {
        if (bgr.Length < width * height * 3)
        {
            throw new ArgumentException($"{bgr.Length} bytes cannot hold a {width}x{height} BGR image", nameof(bgr));
        }

        fixed (byte* source = jpeg)
        fixed (byte* destination = bgr)
        {
            int rc = TurboJpegNative.Decompress2(handle, source, (nuint)jpeg.Length, destination, width, width * 3, height, TurboJpegNative.PixelFormatBgr, 0);
            TurboJpegException.ThrowIfFailed(rc, handle, "tjDecompress2");
        }
    }

    public void Dispose() => handle.Dispose();
}
