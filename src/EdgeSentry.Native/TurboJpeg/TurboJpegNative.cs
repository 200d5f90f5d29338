using System.Runtime.InteropServices;

namespace EdgeSentry.Native.TurboJpeg;

/// <summary>The TurboJPEG 2.1 API entry points used here (Debian libturbojpeg0). <c>unsigned long</c> is 64-bit on LP64.</summary>
internal static unsafe partial class TurboJpegNative
{
    // The unversioned libturbojpeg.so only comes with the -dev package.
    internal const string Library = "libturbojpeg.so.0";

    internal const int PixelFormatBgr = 1;
    internal const int FlagNoRealloc = 1024;

    [LibraryImport(Library, EntryPoint = "tjInitCompress")]
    internal static partial IntPtr InitCompress();

    [LibraryImport(Library, EntryPoint = "tjInitDecompress")]
    internal static partial IntPtr InitDecompress();

    [LibraryImport(Library, EntryPoint = "tjDestroy")]
    internal static partial int Destroy(IntPtr handle);

    [LibraryImport(Library, EntryPoint = "tjBufSize")]
    internal static partial nuint BufSize(int width, int height, int subsampling);

    [LibraryImport(Library, EntryPoint = "tjCompress2")]
    internal static partial int Compress2(
        TurboJpegHandle handle, byte* source, int width, int pitch, int height, int pixelFormat,
        byte** jpegBuffer, nuint* jpegSize, int subsampling, int quality, int flags);

    [LibraryImport(Library, EntryPoint = "tjDecompressHeader3")]
    internal static partial int DecompressHeader3(
        TurboJpegHandle handle, byte* jpegBuffer, nuint jpegSize, int* width, int* height, int* subsampling, int* colorspace);

    [LibraryImport(Library, EntryPoint = "tjDecompress2")]
    internal static partial int Decompress2(
        TurboJpegHandle handle, byte* jpegBuffer, nuint jpegSize, byte* destination, int width, int pitch, int height, int pixelFormat, int flags);

    // Takes the handle as a raw pointer: it is also called with NULL for errors of tjInit*.
    [LibraryImport(Library, EntryPoint = "tjGetErrorStr2")]
    internal static partial byte* GetErrorStr2(IntPtr handle);
}
