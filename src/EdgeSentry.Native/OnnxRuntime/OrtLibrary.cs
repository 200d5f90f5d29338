using System.Runtime.InteropServices;

namespace EdgeSentry.Native.OnnxRuntime;

/// <summary>
/// Loads <c>libonnxruntime.so.1</c> once per process and exposes its API-30 function table.
/// Lookup order: the application's own folder (the build copies the library installed by
/// scripts/install-prereqs.sh there), then the file named by <c>EDGESENTRY_ORT_LIBRARY</c>.
/// The system library path is deliberately not searched, so the version in use is always the pinned one.
/// </summary>
public static unsafe class OrtLibrary
{
    public const string FileName = "libonnxruntime.so.1";
    public const string PathVariable = "EDGESENTRY_ORT_LIBRARY";

    private static readonly Lock Gate = new();
    private static OrtApi api;
    private static bool loaded;
    private static string? version;
    private static string? loadedFrom;

    /// <summary>The version string the loaded library reports (e.g. <c>1.30.0</c>).</summary>
    public static string Version
    {
        get
        {
            EnsureLoaded();
            return version!;
        }
    }

    /// <summary>The file the library was loaded from.</summary>
    public static string Path
    {
        get
        {
            EnsureLoaded();
            return loadedFrom!;
        }
    }

    internal static ref readonly OrtApi Api
    {
        get
        {
            if (!Volatile.Read(ref loaded))
            {
                EnsureLoaded();
            }

            return ref api;
        }
    }

    /// <summary>Loads the library if needed; throws <see cref="DllNotFoundException"/> saying how to install it.</summary>
    public static void EnsureLoaded()
    {
        if (Volatile.Read(ref loaded))
        {
            return;
        }

        lock (Gate)
        {
            if (loaded)
            {
                return;
            }

            string path = Locate(AppContext.BaseDirectory, Environment.GetEnvironmentVariable(PathVariable));
            nint handle;
            try
            {
                handle = NativeLibrary.Load(path);
            }
            catch (DllNotFoundException e)
            {
                throw new DllNotFoundException(
                    $"ONNX Runtime library {path} exists but cannot be loaded ({e.Message}); reinstall it with scripts/install-prereqs.sh", e);
            }

            if (!NativeLibrary.TryGetExport(handle, "OrtGetApiBase", out nint getApiBase))
            {
                throw new EntryPointNotFoundException($"{path} does not export OrtGetApiBase: it is not an ONNX Runtime library");
            }

            var apiBase = ((delegate* unmanaged<OrtApiBase*>)getApiBase)();
            nint* table = apiBase->GetApi(OrtApi.Version);
            string reported = Marshal.PtrToStringUTF8((nint)apiBase->GetVersionString()) ?? "unknown";
            if (table == null)
            {
                throw new NotSupportedException(
                    $"ONNX Runtime {reported} at {path} does not offer C API version {OrtApi.Version}; install 1.30 or later with scripts/install-prereqs.sh");
            }

            api = new OrtApi(table);
            version = reported;
            loadedFrom = path;
            Volatile.Write(ref loaded, true);
        }
    }

    internal static string Locate(string baseDirectory, string? configured)
    {
        string local = System.IO.Path.Combine(baseDirectory, FileName);
        if (File.Exists(local))
        {
            return local;
        }

        if (!string.IsNullOrWhiteSpace(configured))
        {
            if (File.Exists(configured))
            {
                return configured;
            }

            throw new DllNotFoundException(
                $"{PathVariable} names {configured}, which does not exist; run scripts/install-prereqs.sh to install ONNX Runtime {FileName}");
        }

        throw new DllNotFoundException(
            $"ONNX Runtime ({FileName}) was not found in {baseDirectory} and {PathVariable} is not set; " +
            "run scripts/install-prereqs.sh and rebuild (it puts the library in .deps/, which the build copies next to the program)");
    }

    /// <summary>
    /// Turns a returned <c>OrtStatus*</c> into an exception carrying ORT's own message. The status is always
    /// released, whether or not building the exception succeeds.
    /// </summary>
    internal static void ThrowIfFailed(nint status, string context)
    {
        if (status == 0)
        {
            return;
        }

        ref readonly OrtApi a = ref api;
        OrtErrorCode code;
        string message;
        try
        {
            code = (OrtErrorCode)a.GetErrorCode(status);
            message = Marshal.PtrToStringUTF8((nint)a.GetErrorMessage(status))?.TrimEnd() ?? "(no message)";
        }
        finally
        {
            a.ReleaseStatus(status);
        }

        throw new OrtException(code, $"{context}: {message} (ONNX Runtime error {code})");
    }
}
