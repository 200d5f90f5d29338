namespace EdgeSentry.Native.TurboJpeg;

/// <summary>
/// Encodes packed BGR24 into one caller-owned, pinned output buffer sized once for the largest frame
/// (tjBufSize), so TurboJPEG never reallocates (TJFLAG_NOREALLOC) and encoding allocates nothing.
/// Not thread safe: a tjhandle serves one caller at a time.
/// </summary>
public sealed unsafe class JpegCompressor : IDisposable
{
    private readonly TurboJpegHandle handle;
    private readonly byte[] output;

    public JpegCompressor(int maxWidth, int maxHeight, JpegSubsampling subsampling = JpegSubsampling.Yuv420)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxHeight, 1);
        MaxWidth = maxWidth;
        MaxHeight = maxHeight;
        Subsampling = subsampling;
        nuint size = TurboJpegNative.BufSize(maxWidth, maxHeight, (int)subsampling);
        if (size == unchecked((nuint)(-1)) || size > int.MaxValue)
        {
            throw new TurboJpegException($"tjBufSize({maxWidth}x{maxHeight}) failed: {TurboJpegException.LastError(IntPtr.Zero)}");
        }

        output = GC.AllocateUninitializedArray<byte>((int)size, pinned: true);
        handle = TurboJpegHandle.Create(TurboJpegNative.InitCompress(), "tjInitCompress");
    }

    public int MaxWidth { get; }
    public int MaxHeight { get; }
    public JpegSubsampling Subsampling { get; }

    /// <summary>
    /// Compresses and returns the JPEG bytes, which live in the compressor's buffer until the next call.
    /// <paramref name="stride"/> 0 means tightly packed rows.
    /// </summary>
    public ReadOnlySpan<byte> Compress(ReadOnlySpan<byte> bgr, int width, int height, int stride, int quality)
    {
        if (width < 1 || height < 1 || width > MaxWidth || height > MaxHeight)
        {
            throw new ArgumentException($"image {width}x{height} does not fit this compressor's {MaxWidth}x{MaxHeight}", nameof(width));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        int pitch = stride == 0 ? width * 3 : stride;
        if (pitch < width * 3 || bgr.Length < ((long)pitch * (height - 1)) + (width * 3))
        {
            throw new ArgumentException($"{bgr.Length} bytes cannot hold a {width}x{height} BGR image with stride {pitch}", nameof(bgr));
        }

        nuint size = (nuint)output.Length;
        fixed (byte* source = bgr)
        fixed (byte* buffer = output)
        {
            // TurboJPEG takes a pointer to the buffer pointer; with NOREALLOC it writes into it and never swaps it.
            byte* destination = buffer;
            int rc = TurboJpegNative.Compress2(
                handle, source, width, pitch, height, TurboJpegNative.PixelFormatBgr,
                &destination, &size, (int)Subsampling, quality, TurboJpegNative.FlagNoRealloc);
            TurboJpegException.ThrowIfFailed(rc, handle, "tjCompress2");
        }

        return output.AsSpan(0, (int)size);
    }

    public void Dispose() => handle.Dispose();
}
