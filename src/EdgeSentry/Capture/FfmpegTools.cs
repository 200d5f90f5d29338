using System.Diagnostics;

namespace EdgeSentry.Capture;

/// <summary>Finding and starting the ffmpeg/ffprobe executables.</summary>
internal static class FfmpegTools
{
    public static string FfmpegPath { get; } = Find("ffmpeg");
    public static string FfprobePath { get; } = Find("ffprobe");

    public static Process Start(ProcessStartInfo psi)
    {
        try
        {
            return Process.Start(psi) ?? throw new CaptureException($"{psi.FileName} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new CaptureException($"cannot run {psi.FileName}: {e.Message}. Install ffmpeg (apt-get install ffmpeg) or run scripts/install-prereqs.sh", e);
        }
    }

    /// <summary>Kills the process and anything it started; never throws (the process may be gone already).</summary>
    public static void KillTree(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill: nothing left to stop.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Same race on Linux, reported as ESRCH: nothing left to stop.
        }
    }

    private static string Find(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var p = Path.Combine(dir, name);
            if (File.Exists(p))
            {
                return p;
            }
        }

        return name;
    }
}
