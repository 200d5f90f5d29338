using System.Globalization;

namespace EdgeSentry.Benchmarking;

/// <summary>
/// A plain in-place text bar on stderr ("\r" redraws), refreshed by a timer so workers only bump a counter.
/// </summary>
public sealed class BenchProgress : IDisposable
{
    private const int BarWidth = 30;
    private readonly TextWriter output;
    private readonly Timer timer;
    private readonly object gate = new();
    private string phase = string.Empty;
    private long total;
    private long done;
    private long phaseStarted;
    private int lastLength;

    public BenchProgress(TextWriter output)
    {
        this.output = output;
        timer = new Timer(_ => Draw(), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
    }

    public void Start(string name, long totalUnits)
    {
        lock (gate)
        {
            Finish();
            phase = name;
            Interlocked.Exchange(ref total, totalUnits);
            Interlocked.Exchange(ref done, 0);
            phaseStarted = TimeProvider.System.GetTimestamp();
        }
    }

    public void Advance(long units = 1) => Interlocked.Add(ref done, units);

    public void Dispose()
    {
        timer.Dispose();
        lock (gate)
        {
            Finish();
        }
    }

    private void Finish()
    {
        if (phase.Length > 0)
        {
            DrawLocked();
            output.WriteLine();
            phase = string.Empty;
            lastLength = 0;
        }
    }

    private void Draw()
    {
        lock (gate)
        {
            if (phase.Length > 0)
            {
                DrawLocked();
            }
        }
    }

    private void DrawLocked()
    {
        long t = Interlocked.Read(ref total);
        long d = Math.Min(Interlocked.Read(ref done), Math.Max(t, 1));
        double fraction = t > 0 ? (double)d / t : 0;
        int filled = (int)Math.Round(fraction * BarWidth);
        double seconds = TimeProvider.System.GetElapsedTime(phaseStarted).TotalSeconds;
        string rate = seconds > 0 ? (d / seconds).ToString("0.0", CultureInfo.InvariantCulture) : "-";
        // A phase whose size is not known yet (decode-only counts the frames) shows the count alone.
        string line = t > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{phase,-44} [{new string('#', filled)}{new string('.', BarWidth - filled)}] {d}/{t} {rate}/s")
            : string.Create(CultureInfo.InvariantCulture, $"{phase,-44} {Interlocked.Read(ref done)} {rate}/s");
        output.Write('\r' + line.PadRight(lastLength));
        output.Flush();
        lastLength = line.Length;
    }
}
