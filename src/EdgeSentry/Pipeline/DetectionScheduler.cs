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
    // Unbounded type, bounded in fact: a lane is queued only while it is not busy, so it holds at most one entry per camera.
    private readonly Channel<CameraLane> _ready = Channel.CreateUnbounded<CameraLane>(new UnboundedChannelOptions { SingleWriter = false, SingleReader = false });
    private readonly string _model;
    private long _processed;

    public DetectionScheduler(Func<int, IObjectDetector> detectorFactory, int workers, TimeProvider timeProvider, ILogger logger, EdgeSentryMetrics? metrics = null, int maxDetections = 256, string model = "model")
    {
        _model = model;
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _detectorFactory = detectorFactory;
        _workers = workers;
        _maxDetections = maxDetections;
        _time = timeProvider;
        _metrics = metrics;
        _logger = logger;
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
    /// Creates the detectors (start-up errors surface here, before any frame) and runs the workers until
    /// cancelled; frames already taken are finished first.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var detectors = new IObjectDetector[_workers];
        try
        {
            for (int i = 0; i < _workers; i++)
            {
                detectors[i] = _detectorFactory(i);
            }

            PipelineLog.WorkersStarted(_logger, _workers);
            var tasks = new Task[_workers];
            for (int i = 0; i < _workers; i++)
            {
                var detector = detectors[i];
                // Tags made once per worker: the per-frame Record takes them by value, without allocating.
                var inferenceTags = new TagList { { "model", _model }, { "worker", i.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
                tasks[i] = Task.Run(() => WorkAsync(detector, inferenceTags, cancellationToken), CancellationToken.None);
            }

            await Task.WhenAll(tasks);
        }
        finally
        {
            foreach (var d in detectors)
            {
                d?.Dispose();
            }

            PipelineLog.WorkersStopped(_logger, FramesProcessed);
        }
    }

    private async Task WorkAsync(IObjectDetector detector, TagList inferenceTags, CancellationToken cancellationToken)
    {
        var results = new Detection.Detection[_maxDetections];
        try
        {
            while (await _ready.Reader.WaitToReadAsync(cancellationToken))
            {
                while (_ready.Reader.TryRead(out var lane))
                {
                    await ProcessAsync(lane, detector, results, inferenceTags, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: whatever is still in the slots is released when the slots are disposed.
        }
    }

    private async ValueTask ProcessAsync(CameraLane lane, IObjectDetector detector, Detection.Detection[] results, TagList inferenceTags, CancellationToken cancellationToken)
    {
        var frame = lane.Slot.Take();
        if (frame is null || lane.IsClosed)
        {
            frame?.Dispose();
            lane.Done();
            return;
        }

        // The policy's skip is decided here, where the frame leaves the slot: a skipped frame costs the
        // worker a few microseconds, never a detector run, and is counted apart from the slot's drops.
        if (lane.Gate is { } gate && !gate.ShouldDetect(frame))
        {
            _metrics?.FramesSkipped.Add(1);
            frame.Dispose();
            lane.Done();
            return;
        }

        try
        {
            long t0 = _time.GetTimestamp();
            int n = detector.Detect(frame.Image, results);
            lane.RecordInference(_time.GetElapsedTime(t0));
            _metrics?.InferenceLatency.Record(_time.GetElapsedTime(t0).TotalSeconds, inferenceTags);
            try
            {
                await lane.Analyzer.AnalyzeAsync(frame, results.AsMemory(0, n), cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One camera's analysis fault must not stop the shared stage; it is logged and counted.
                lane.RecordFailure();
                PipelineLog.AnalysisFailed(_logger, lane.Slot.CameraId, e);
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
