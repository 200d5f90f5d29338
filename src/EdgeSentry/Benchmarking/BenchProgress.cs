using System.Globalization;

namespace EdgeSentry.Benchmarking;

/// <summary>
/// A plain in-place text bar on stderr ("\r" redraws), refreshed by a timer so workers only bump a counter.
/// </summary>
public sealed class BenchProgress : IDisposable
{
    private const int BarWidth = 30;
    private readonly TextWriter _output;
    private readonly Timer _timer;
    private readonly object _gate = new();
    private string _phase = string.Empty;
    private long _total;
    private long _done;
    private long _phaseStarted;
    private int _lastLength;

    public BenchProgress(TextWriter output)
    {
        _output = output;
        _timer = new Timer(_ => Draw(), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
    }

    public void Start(string name, long totalUnits)
    {
        lock (_gate)
        {
            Finish();
            _phase = name;
            Interlocked.Exchange(ref _total, totalUnits);
            Interlocked.Exchange(ref _done, 0);
            _phaseStarted = TimeProvider.System.GetTimestamp();
        }
    }

    public void Advance(long units = 1) => Interlocked.Add(ref _done, units);

    public void Dispose()
    {
        _timer.Dispose();
        lock (_gate)
        {
            Finish();
        }
    }

    private void Finish()
    {
        if (_phase.Length > 0)
        {
            DrawLocked();
            _output.WriteLine();
            _phase = string.Empty;
            _lastLength = 0;
        }
    }

    private void Draw()
    {
        lock (_gate)
        {
            if (_phase.Length > 0)
            {
                DrawLocked();
            }
        }
    }

    private void DrawLocked()
    {
        long t = Interlocked.Read(ref _total);
        long d = Math.Min(Interlocked.Read(ref _done), Math.Max(t, 1));
        double fraction = t > 0 ? (double)d / t : 0;
        int filled = (int)Math.Round(fraction * BarWidth);
        double seconds = TimeProvider.System.GetElapsedTime(_phaseStarted).TotalSeconds;
        string rate = seconds > 0 ? (d / seconds).ToString("0.0", CultureInfo.InvariantCulture) : "-";
        // A phase whose size is not known yet (decode-only counts the frames) shows the count alone.
        string line = t > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{_phase,-44} [{new string('#', filled)}{new string('.', BarWidth - filled)}] {d}/{t} {rate}/s")
            : string.Create(CultureInfo.InvariantCulture, $"{_phase,-44} {Interlocked.Read(ref _done)} {rate}/s");
        _output.Write('\r' + line.PadRight(_lastLength));
        _output.Flush();
        _lastLength = line.Length;
    }
}
