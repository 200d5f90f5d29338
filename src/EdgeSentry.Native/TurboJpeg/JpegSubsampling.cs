namespace EdgeSentry.Native.TurboJpeg;

/// <summary>Chroma subsampling (TJSAMP_*).</summary>
public enum JpegSubsampling
{
    Yuv444 = 0,
    Yuv422 = 1,
    Yuv420 = 2,
}
