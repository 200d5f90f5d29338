using System.Diagnostics;

namespace EdgeSentry.Capture;

/// <summary>
/// One ffmpeg process decoding one source into raw BGR24 frames on stdout. A crashing decoder only
/// ends its own process. Reads are blocking and exact-size into pooled frames, on the caller's
/// (dedicated) thread, so reading allocates nothing per frame.
/// </summary>
public sealed class FfmpegDecoder : IDisposable
{
    private const int StderrLinesKept = 8;
    private readonly Process _process;
    private readonly Stream _stdout;
    private readonly Queue<string> _stderrTail = new();
    private readonly Task _stderrPump;
    private readonly Action<string>? _onStderr;

    private FfmpegDecoder(Process process, int width, int height, Action<string>? onStderr)
    {
        _process = process;
        _stdout = process.StandardOutput.BaseStream;
        Width = width;
        Height = height;
        _onStderr = onStderr;
        _stderrPump = PumpStderrAsync();
    }

    public int Width { get; }
    public int Height { get; }
    public int FrameBytes => Width * Height * 3;

    public static FfmpegDecoder Start(CameraInput input, VideoInfo source, int width, int height, double? maxFps, Action<string>? onStderr = null)
    {
        var psi = new ProcessStartInfo(FfmpegTools.FfmpegPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var a in FfmpegArguments.Decoder(input, source, width, height, maxFps))
        {
            psi.ArgumentList.Add(a);
        }

        return new FfmpegDecoder(FfmpegTools.Start(psi), width, height, onStderr);
    }

    /// <summary>
    /// Fills <paramref name="frame"/> with the next picture. Returns false at end of stream or when the
    /// process died (a partial frame at the end is discarded).
    /// </summary>
    public bool ReadFrame(Frame frame)
    {
        var span = frame.Pixels;
        int read;
        try
        {
            read = _stdout.ReadAtLeast(span, span.Length, throwOnEndOfStream: false);
        }
        catch (IOException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        return read == span.Length;
    }

    /// <summary>The last lines ffmpeg printed (redacted), to explain why a stream ended.</summary>
    public string LastError
    {
        get
        {
            lock (_stderrTail)
            {
                return _stderrTail.Count == 0 ? string.Empty : string.Join(" | ", _stderrTail);
            }
        }
    }

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public void Kill() => FfmpegTools.KillTree(_process);

    private async Task PumpStderrAsync()
    {
        try
        {
            while (await _process.StandardError.ReadLineAsync() is { } line)
            {
                var safe = UrlRedactor.Redact(line);
                lock (_stderrTail)
                {
                    _stderrTail.Enqueue(safe);
                    while (_stderrTail.Count > StderrLinesKept)
                    {
                        _stderrTail.Dequeue();
                    }
                }

                _onStderr?.Invoke(safe);
            }
        }
        catch (IOException)
        {
            // The pipe closed with the process: the tail collected so far is all there is.
        }
        catch (ObjectDisposedException)
        {
            // Disposed while reading: same as above.
        }
    }

    public void Dispose()
    {
        Kill();
        try
        {
            // Reap the process so no zombie is left; it was just killed, so this is quick.
            _process.WaitForExit(2000);
            _stderrPump.Wait(1000);
        }
        catch (AggregateException)
        {
            // The pump only ends with I/O errors already handled inside it.
        }

        _process.Dispose();
    }
}
