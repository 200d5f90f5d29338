using EdgeSentry.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Capture;

/// <summary>
/// Supervises one camera: probe, start ffmpeg, read frames into the freshest-frame slot, and on any
/// exit (exit code 0 included) or stall kill the decoder and start again with capped, jittered
/// exponential backoff. A file that is not looped ends once. One camera's failures never touch another:
/// each source has its own thread, process and pool.
/// </summary>
public sealed class CameraSource
{
    private readonly CameraSourceOptions _options;
    private readonly FreshestFrameSlot _slot;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EdgeSentryMetrics? _metrics;
    private readonly KeyValuePair<string, object?> _cameraTag;
    private long _framesDecoded;
    private long _reconnects;
    private long _stalls;
    private long _lastFrameTimestamp;
    private double _ptsBase;
    private long _sequence;
    private readonly long _startTimestamp;

    public CameraSource(CameraSourceOptions options, FreshestFrameSlot slot, TimeProvider timeProvider, ILogger logger, EdgeSentryMetrics? metrics = null)
    {
        _metrics = metrics;
        _cameraTag = new("camera", options.CameraId);
        _options = options;
        _slot = slot;
        _time = timeProvider;
        _logger = logger;
        _startTimestamp = timeProvider.GetTimestamp();
    }

    public string CameraId => _options.CameraId;
    public CameraState State { get; private set; } = CameraState.Starting;
    public long FramesDecoded => Interlocked.Read(ref _framesDecoded);
    public long Reconnects => Interlocked.Read(ref _reconnects);
    public long Stalls => Interlocked.Read(ref _stalls);
    public string? LastError { get; private set; }
    public VideoInfo? Source { get; private set; }

    /// <summary>Raised on every state change with a redacted reason.</summary>
    public event Action<CameraSource, CameraState, string?>? StateChanged;

    /// <summary>Raised for each decoded frame (before it enters the slot), on the reader thread.</summary>
    public event Action<CameraSource>? FrameDecoded;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        int attempt = 0;
        FramePool? pool = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                bool gotFrames = false;
                string reason;
                try
                {
                    CaptureLog.Opening(_logger, CameraId, _options.Input.Redacted);
                    await _options.Input.CheckReachableAsync(_options.ProbeTimeout, cancellationToken);
                    // A reconnect reuses what the first probe learnt: the decoder's output size is pinned by its
                    // scale filter whatever the stream sends, and skipping ffprobe saves a second of outage.
                    var info = Source ?? await VideoInfo.ProbeAsync(_options.Input, _options.ProbeTimeout, cancellationToken);
                    Source = info;
                    var (w, h) = FfmpegArguments.DecodeSize(info.Width, info.Height, _options.MaxDecodeWidth, _options.MinDecodeLongSide);
                    if (pool is null || pool.Width != w || pool.Height != h)
                    {
                        pool = new FramePool(CameraId, w, h, _options.FramePoolSize);
                    }

                    double frameInterval = 1.0 / (_options.MaxFps is > 0 ? Math.Min(_options.MaxFps.Value, info.FramesPerSecond) : info.FramesPerSecond);
                    using var decoder = FfmpegDecoder.Start(_options.Input, info, w, h, _options.MaxFps,
                        line => CaptureLog.DecoderOutput(_logger, CameraId, line));
                    CaptureLog.Streaming(_logger, CameraId, info.Width, info.Height, info.FramesPerSecond, w, h);
                    long before = FramesDecoded;
                    bool stalled = await ReadUntilEndAsync(decoder, pool, info, frameInterval, cancellationToken);
                    gotFrames = FramesDecoded > before;
                    decoder.Kill();
                    reason = stalled ? LastError! : decoder.LastError is { Length: > 0 } err ? err : $"decoder exited (code {decoder.ExitCode?.ToString() ?? "?"})";
                    if (!_options.Input.IsLive && !_options.Input.Loop && gotFrames && !cancellationToken.IsCancellationRequested)
                    {
                        CaptureLog.Ended(_logger, CameraId, FramesDecoded);
                        SetState(CameraState.Ended, "end of file");
                        return;
                    }
                }
                catch (CaptureException e)
                {
                    reason = e.Message;
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                LastError = reason;
                attempt = gotFrames ? 1 : attempt + 1;
                Interlocked.Increment(ref _reconnects);
                _metrics?.Reconnects.Add(1, _cameraTag);
                var delay = Backoff(attempt);
                SetState(attempt >= 5 && !gotFrames ? CameraState.Offline : CameraState.Reconnecting, reason);
                CaptureLog.Reconnecting(_logger, CameraId, reason, attempt, delay);
                await Task.Delay(delay, _time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown: fall through to the final state.
        }

        SetState(CameraState.Offline, "stopped");
    }

    private TimeSpan Backoff(int attempt)
    {
        double baseMs = _options.BackoffInitial.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 16));
        double capped = Math.Min(baseMs, _options.BackoffMax.TotalMilliseconds);
        // Jitter between 50 % and 100 % so cameras that failed together don't reconnect in lockstep.
        return TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() * 0.5)));
    }

    private async Task<bool> ReadUntilEndAsync(FfmpegDecoder decoder, FramePool pool, VideoInfo info, double frameInterval, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastFrameTimestamp, _time.GetTimestamp());
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var killOnCancel = stop.Token.Register(decoder.Kill);
        long firstSequence = _sequence;
        double ptsBase = _ptsBase;

        // Blocking pipe reads on a dedicated thread: exact-size reads straight into pinned pool buffers.
        var reader = Task.Factory.StartNew(
            () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var frame = pool.Rent(stop.Token);
                    if (!decoder.ReadFrame(frame))
                    {
                        frame.Dispose();
                        return;
                    }

                    long n = _sequence++;
                    frame.Sequence = n;
                    frame.CapturedTimestamp = _time.GetTimestamp();
                    frame.CapturedAt = _time.GetUtcNow();
                    // Files: stream time from the frame number; live: time since the source started, so
                    // it stays monotonic across reconnects.
                    frame.PtsSeconds = info.IsLive
                        ? _time.GetElapsedTime(_startTimestamp).TotalSeconds
                        : ptsBase + ((n - firstSequence) * frameInterval);
                    _ptsBase = frame.PtsSeconds + frameInterval;
                    Interlocked.Exchange(ref _lastFrameTimestamp, frame.CapturedTimestamp);
                    if (Interlocked.Increment(ref _framesDecoded) == 1 || State != CameraState.Online)
                    {
                        SetState(CameraState.Online, null);
                    }

                    FrameDecoded?.Invoke(this);
                    _options.FrameInspector?.Invoke(frame);
                    _slot.Put(frame);
                }
            },
            stop.Token,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        // Watchdog: a hung server can keep ffmpeg waiting for ~20 s despite its own timeout.
        bool stalled = false;
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(_options.StallTimeout.TotalMilliseconds / 4, 50, 1000));
        while (!reader.IsCompleted)
        {
            var finished = await Task.WhenAny(reader, Task.Delay(tick, _time, stop.Token)).ConfigureAwait(false);
            if (finished == reader)
            {
                break;
            }

            var silent = _time.GetElapsedTime(Interlocked.Read(ref _lastFrameTimestamp));
            // A fresh decoder must first connect and probe the stream, which a busy box stretches well past a
            // short stall time; killing it then would restart it forever. Until its first frame it gets the
            // probe time on top.
            bool firstFrameSeen = Volatile.Read(ref _sequence) != firstSequence;
            var limit = firstFrameSeen ? _options.StallTimeout : _options.StallTimeout + _options.ProbeTimeout;
            if (silent >= limit)
            {
                Interlocked.Increment(ref _stalls);
                _metrics?.Stalls.Add(1, _cameraTag);
                CaptureLog.Stalled(_logger, CameraId, silent);
                LastError = $"no frame for {silent.TotalSeconds:0.#} s";
                decoder.Kill();
                stalled = true;
                break;
            }
        }

        await stop.CancelAsync();
        try
        {
            await reader;
        }
        catch (OperationCanceledException)
        {
            // The reader was waiting for a pool buffer when we stopped it.
        }

        return stalled;
    }

    private void SetState(CameraState state, string? reason)
    {
        if (State == state)
        {
            return;
        }

        State = state;
        CaptureLog.StateChanged(_logger, CameraId, state.ToWire());
        StateChanged?.Invoke(this, state, reason is null ? null : UrlRedactor.Redact(reason));
    }
}
