using System.Globalization;

namespace EdgeSentry.Benchmarking;

/// <summary>
/// CPU time of this process and of its reaped children (the ffmpeg decoders) from /proc/self/stat. On a
/// shared box wall-clock rates swing with the neighbours' load; CPU milliseconds per frame stay steady.
/// </summary>
internal readonly record struct CpuClock(double SelfMs, double ChildrenMs)
{
    // USER_HZ is 100 on every Linux the service targets (sysconf(_SC_CLK_TCK)).
    private const double MsPerTick = 10.0;

    public static bool Available => File.Exists("/proc/self/stat");

    public static CpuClock Now()
    {
        if (!Available)
        {
            return default;
        }

        string stat = File.ReadAllText("/proc/self/stat");
        // Fields after the command name (which may contain spaces) start at field 3 ("state").
        var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        double Ticks(int field) => double.Parse(f[field - 3], CultureInfo.InvariantCulture);
        return new CpuClock((Ticks(14) + Ticks(15)) * MsPerTick, (Ticks(16) + Ticks(17)) * MsPerTick);
    }

    public static CpuClock operator -(CpuClock a, CpuClock b) => new(a.SelfMs - b.SelfMs, a.ChildrenMs - b.ChildrenMs);
}
