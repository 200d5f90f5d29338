using System.Diagnostics;
using System.Threading.Channels;
using EdgeSentry.Capture;
using EdgeSentry.Detection;
using EdgeSentry.Diagnostics;
using EdgeSentry.Motion;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Pipeline;

/// <summary>
/// The shared detection stage. Cameras whose slot holds a frame wait in one FIFO ready queue (each
/// camera at most once), so every camera gets its turn before any camera gets a second one: a
/// flooding camera only refreshes its own slot. At most one frame per camera is in flight, which keeps
/// each camera's frames in order for its tracker and rules. K workers each own a detector (sessions
/// are not shared between threads).
/// </summary>
public sealed class DetectionScheduler
{
    private readonly Func<int, IObjectDetector> _detectorFactory;
    private readonly int _workers;
    private readonly int _maxDetections;
    private readonly TimeProvider _time;
    private readonly EdgeSentryMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly Supervisor _supervisor;
    private readonly TimeSpan? _watchdog;
    // Unbounded type, bounded in fact: a lane is queued only while it is not busy, so it holds at most one entry per camera.
    private readonly Channel<CameraLane> _ready = Channel.CreateUnbounded<CameraLane>(new UnboundedChannelOptions { SingleWriter = false, SingleReader = false });
    private readonly string _model;
    private long _processed;

    /// <param name="detectorFactory">Opens worker <c>i</c>'s detector; called again for a worker whose session the watchdog abandoned.</param>
    /// <param name="supervisor">Runs the workers and counts faults; a private one (no health, no logs) when null.</param>
    /// <param name="watchdog">A <c>Detect</c> call longer than this is abandoned: its session is recreated and the camera goes on. Null: no watchdog.</param>
    public DetectionScheduler(Func<int, IObjectDetector> detectorFactory, int workers, TimeProvider timeProvider, ILogger logger, EdgeSentryMetrics? metrics = null, int maxDetections = 256, string model = "model", Supervisor? supervisor = null, TimeSpan? watchdog = null)
    {
        _model = model;
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        if (watchdog is { } w)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(w, TimeSpan.Zero, nameof(watchdog));
        }

        _detectorFactory = detectorFactory;
        _workers = workers;
        _maxDetections = maxDetections;
        _time = timeProvider;
        _metrics = metrics;
        _logger = logger;
        _supervisor = supervisor ?? new Supervisor(timeProvider, metrics: metrics);
        _watchdog = watchdog;
    }

    public long FramesProcessed => Interlocked.Read(ref _processed);

    /// <summary>
    /// Connects a camera's slot to the stage. Dispose the lane to disconnect it. With a <paramref name="gate"/>,
    /// each frame leaving the slot goes to the detector only if the camera's detection policy wants it.
    /// </summary>
    public CameraLane Register(FreshestFrameSlot slot, IFrameAnalyzer analyzer, DetectionGate? gate = null)
    {
        var lane = new CameraLane(this, slot, analyzer, gate);
        slot.FrameAvailable += lane.OnFrameAvailable;
        PipelineLog.CameraAdded(_logger, slot.CameraId);
        lane.OnFrameAvailable(slot);
        return lane;
    }

    /// <summary>
    /// Creates the detectors (start-up errors surface here, before any frame) and runs the workers under the
    /// supervisor until cancelled; frames already taken are finished first.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var workers = new Worker[_workers];
        ITimer? watchdog = null;
        try
        {
            for (int i = 0; i < _workers; i++)
            {
                // Tags made once per worker: the per-frame Record takes them by value, without allocating.
                var inferenceTags = new TagList { { "model", _model }, { "worker", i.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
                workers[i] = new Worker(i, _detectorFactory(i), inferenceTags);
            }

            PipelineLog.WorkersStarted(_logger, _workers);
            if (_watchdog is { } limit)
            {
                // Checked four times per limit: a hung call is abandoned within 1.25 limits of its start.
                var period = limit / 4;
                watchdog = _time.CreateTimer(_ => CheckWatchdog(workers, limit), null, period, period);
            }

            var tasks = new Task[_workers];
            for (int i = 0; i < _workers; i++)
            {
                var worker = workers[i];
                tasks[i] = _supervisor.RunAsync($"detector-worker-{i}", ct => RunWorkerAsync(worker, ct), mayComplete: false, cancellationToken);
            }

            await Task.WhenAll(tasks);
        }
        finally
        {
            if (watchdog is not null)
            {
                await watchdog.DisposeAsync();
            }

            foreach (var w in workers)
            {
                // A session abandoned in a hung call is disposed by that call when it returns, never here.
                w?.Detector.Dispose();
            }

            PipelineLog.WorkersStopped(_logger, FramesProcessed);
        }
    }

    /// <summary>
    /// One worker: a run on its own thread, replaced (with a new session) when the watchdog abandons it. The
    /// abandoned run keeps its thread and old session until its call returns, then disposes both and ends.
    /// </summary>
    private async Task RunWorkerAsync(Worker worker, CancellationToken cancellationToken)
    {
        while (true)
        {
            var run = new WorkerRun(worker.Detector);
            worker.Current = run;
            var work = Task.Run(() => WorkAsync(worker, run, cancellationToken), CancellationToken.None);
            if (await Task.WhenAny(work, run.Abandoned) == work)
            {
                await work;
                return;
            }

            // Observed when the hung call returns (the run then ends quietly).
            _ = work.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            if (cancellationToken.IsCancellationRequested)
            {
                worker.Detector = new AbandonedDetector();
                return;
            }

            worker.Detector = _detectorFactory(worker.Index);
            worker.Recovering = true;
        }
    }

    private void CheckWatchdog(Worker[] workers, TimeSpan limit)
    {
        foreach (var worker in workers)
        {
            if (worker?.Current is { } run && run.TryAbandon(_time, limit, out var lane))
            {
                // The camera goes on at once; the frame stays with the hung call (native code may still read its
                // buffer) and returns to its pool when that call does.
                lane.Done();
                _supervisor.WatchdogRecovered(_model, worker.Index, limit, lane.Slot.CameraId);
            }
        }
    }

    private async Task WorkAsync(Worker worker, WorkerRun run, CancellationToken cancellationToken)
    {
        var results = new Detection.Detection[_maxDetections];
        try
        {
            while (await _ready.Reader.WaitToReadAsync(cancellationToken))
            {
                while (_ready.Reader.TryRead(out var lane))
                {
                    if (!await ProcessAsync(lane, worker, run, results, cancellationToken))
                    {
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: whatever is still in the slots is released when the slots are disposed.
        }
    }

    /// <returns>False when the watchdog abandoned this run during the call: the run must end.</returns>
    private async ValueTask<bool> ProcessAsync(CameraLane lane, Worker worker, WorkerRun run, Detection.Detection[] results, CancellationToken cancellationToken)
    {
        var frame = lane.Slot.Take();
        if (frame is null || lane.IsClosed)
        {
            frame?.Dispose();
            lane.Done();
            return true;
        }

        // The policy's skip is decided here, where the frame leaves the slot: a skipped frame costs the
        // worker a few microseconds, never a detector run, and is counted apart from the slot's drops.
        if (lane.Gate is { } gate && !gate.ShouldDetect(frame))
        {
            _metrics?.FramesSkipped.Add(1, new KeyValuePair<string, object?>("camera", lane.Slot.CameraId));
            frame.Dispose();
            lane.Done();
            return true;
        }

        long t0 = _time.GetTimestamp();
        int n;
        run.Begin(lane, t0);
        try
        {
            n = run.Detector.Detect(frame.Image, results);
        }
        catch (Exception e)
        {
            if (!run.End())
            {
                Abandon(run, frame);
                return false;
            }

            // One frame's detector fault must not stop the shared stage: counted, logged, the frame skipped.
            _supervisor.ItemFaulted("detect", e, lane.Slot.CameraId);
            frame.Dispose();
            lane.Done();
            return true;
        }

        if (!run.End())
        {
            Abandon(run, frame);
            return false;
        }

        if (worker.Recovering)
        {
            worker.Recovering = false;
            _supervisor.WorkerRecovered(_model, worker.Index);
        }

        try
        {
            lane.RecordInference(_time.GetElapsedTime(t0));
            _metrics?.InferenceLatency.Record(_time.GetElapsedTime(t0).TotalSeconds, worker.InferenceTags);
            try
            {
                await lane.Analyzer.AnalyzeAsync(frame, results.AsMemory(0, n), cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One camera's analysis fault must not stop the shared stage; it is logged and counted.
                lane.RecordFailure();
                _supervisor.ItemFaulted("analyze", e, lane.Slot.CameraId);
            }

            lane.Gate?.Detected(frame.PtsSeconds, frame.Sequence);

            var age = _time.GetElapsedTime(frame.CapturedTimestamp);
            lane.RecordProcessed(age);
            var camera = new KeyValuePair<string, object?>("camera", lane.Slot.CameraId);
            _metrics?.FrameAge.Record(age.TotalSeconds, camera);
            _metrics?.FramesProcessed.Add(1, camera);
            Interlocked.Increment(ref _processed);
        }
        finally
        {
            frame.Dispose();
            lane.Done();
        }

        return true;
    }

    /// <summary>The call returned after the watchdog gave up on it: its lane was already released; free what it held.</summary>
    private static void Abandon(WorkerRun run, Frame frame)
    {
        frame.Dispose();
        run.Detector.Dispose();
    }

    /// <summary>A detector slot: its current session, replaced after a watchdog recovery.</summary>
    private sealed class Worker(int index, IObjectDetector detector, TagList inferenceTags)
    {
        public int Index { get; } = index;
        public TagList InferenceTags { get; } = inferenceTags;
        public IObjectDetector Detector { get; set; } = detector;
        public volatile WorkerRun? Current;
        public volatile bool Recovering;
    }

    /// <summary>One worker thread's use of one session; the watchdog and the call race to end each call, exactly one wins.</summary>
    private sealed class WorkerRun(IObjectDetector detector)
    {
        private const int Idle = 0;
        private const int Calling = 1;
        private const int Gone = 2;
        private readonly TaskCompletionSource _abandoned = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _state;
        private long _started;
        private CameraLane? _lane;

        public IObjectDetector Detector { get; } = detector;

        public Task Abandoned => _abandoned.Task;

        public void Begin(CameraLane lane, long timestamp)
        {
            _lane = lane;
            Volatile.Write(ref _started, timestamp);
            Volatile.Write(ref _state, Calling);
        }

        /// <returns>False when the watchdog took the call: the caller owns the cleanup.</returns>
        public bool End() => Interlocked.CompareExchange(ref _state, Idle, Calling) == Calling;

        public bool TryAbandon(TimeProvider time, TimeSpan limit, out CameraLane lane)
        {
            lane = null!;
            if (Volatile.Read(ref _state) != Calling || time.GetElapsedTime(Volatile.Read(ref _started)) <= limit
                || Interlocked.CompareExchange(ref _state, Gone, Calling) != Calling)
            {
                return false;
            }

            lane = _lane!;
            _abandoned.TrySetResult();
            return true;
        }
    }

    /// <summary>Stands in for a session abandoned at shutdown (its hung call disposes the real one).</summary>
    private sealed class AbandonedDetector : IObjectDetector
    {
        public IReadOnlyList<string> Labels => [];

        public int Detect(BgrImage image, Span<Detection.Detection> results) => throw new ObjectDisposedException(nameof(AbandonedDetector));

        public void Dispose()
        {
        }
    }

    public sealed class CameraLane : IDisposable
    {
        private readonly DetectionScheduler _owner;
        private readonly Lock _gate = new();
        private bool _busy;
        private bool _closed;
        private long _processed;
        private long _failures;
        private double _lastAgeMs;
        private double _lastInferenceMs;
        private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal CameraLane(DetectionScheduler owner, FreshestFrameSlot slot, IFrameAnalyzer analyzer, DetectionGate? gate)
        {
            _owner = owner;
            Slot = slot;
            Analyzer = analyzer;
            Gate = gate;
        }

        public FreshestFrameSlot Slot { get; }
        public IFrameAnalyzer Analyzer { get; }

        /// <summary>The camera's detection policy; null detects every frame.</summary>
        public DetectionGate? Gate { get; }
        public long Processed => Interlocked.Read(ref _processed);
        public long Failures => Interlocked.Read(ref _failures);
        public double LastFrameAgeMs => Volatile.Read(ref _lastAgeMs);
        public double LastInferenceMs => Volatile.Read(ref _lastInferenceMs);

        /// <summary>Age of processed frames (captured → analysed), milliseconds, last 512.</summary>
        public LatencyWindow FrameAge { get; } = new();

        /// <summary>Inference time per frame, milliseconds, last 512.</summary>
        public LatencyWindow Inference { get; } = new();
        internal bool IsClosed => Volatile.Read(ref _closed);

        /// <summary>Raised after each processed frame with its age (captured → analysed).</summary>
        public event Action<CameraLane, TimeSpan>? FrameProcessed;

        internal void OnFrameAvailable(FreshestFrameSlot _)
        {
            lock (_gate)
            {
                if (_busy || _closed)
                {
                    return;
                }

                _busy = true;
            }

            _owner._ready.Writer.TryWrite(this);
        }

        /// <summary>The worker finished this camera's frame: queue it again if a newer frame is waiting.</summary>
        internal void Done()
        {
            lock (_gate)
            {
                if (!_closed && Slot.HasFrame)
                {
                    _owner._ready.Writer.TryWrite(this);
                    return;
                }

                _busy = false;
                if (_closed)
                {
                    _idle.TrySetResult();
                }
            }
        }

        /// <summary>After <see cref="Dispose"/>: completes once no worker is using this camera's analyzer.</summary>
        public Task WhenIdle => _idle.Task;

        internal void RecordInference(TimeSpan t)
        {
            Volatile.Write(ref _lastInferenceMs, t.TotalMilliseconds);
            Inference.Record(t.TotalMilliseconds);
        }

        internal void RecordFailure() => Interlocked.Increment(ref _failures);

        internal void RecordProcessed(TimeSpan age)
        {
            Interlocked.Increment(ref _processed);
            Volatile.Write(ref _lastAgeMs, age.TotalMilliseconds);
            FrameAge.Record(age.TotalMilliseconds);
            FrameProcessed?.Invoke(this, age);
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _closed = true;
                if (!_busy)
                {
                    _idle.TrySetResult();
                }
            }

            Slot.FrameAvailable -= OnFrameAvailable;
            PipelineLog.CameraRemoved(_owner._logger, Slot.CameraId);
        }
    }
}
