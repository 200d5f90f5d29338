using OpenCvSharp;

namespace EdgeSentry.Pictures;

/// <summary>
/// Whether OpenCV's native side (libOpenCvSharpExtern) loads on this box. Only linux-x64 has a runtime
/// package; elsewhere the managed OpenCvSharp assembly is present but its first native call throws. The
/// probe makes that call once, so the service can warn once at start and send alerts without pictures
/// instead of failing per incident.
/// </summary>
public static class PictureSupport
{
    private static readonly Lazy<string?> Failure = new(Probe, LazyThreadSafetyMode.ExecutionAndPublication);

    public static bool IsAvailable => Failure.Value is null;

    /// <summary>Why pictures are off (null when they are on).</summary>
    public static string? UnavailableReason => Failure.Value;

    /// <summary>The OpenCV version behind the pictures, or null when unavailable.</summary>
    public static string? OpenCvVersion { get; private set; }

    public const string Remedy =
        "Install OpenCvSharpExtern for this platform (linux-x64 gets it from the OpenCvSharp4.official.runtime.linux-x64 package; "
        + "on arm64 build it from source, see README 'Pictures on arm64').";

    private static string? Probe()
    {
        try
        {
            OpenCvVersion = Cv2.GetVersionString();
            // A real allocation and draw, not only the version string: proves the imgproc/imgcodecs entry points resolve.
            using var probe = new Mat(2, 2, MatType.CV_8UC3, Scalar.All(0));
            Cv2.ImEncode(".jpg", probe, out byte[] _);
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException or OpenCvSharpException)
        {
            return Describe(e);
        }
    }

    private static string Describe(Exception e)
    {
        // TypeInitializationException hides the loader's message (which names the missing library) one level down.
        while (e is TypeInitializationException && e.InnerException is not null)
        {
            e = e.InnerException;
        }

        string message = e.Message.ReplaceLineEndings(" ");
        return message.Length > 300 ? $"{e.GetType().Name}: {message[..300]}..." : $"{e.GetType().Name}: {message}";
    }
}
