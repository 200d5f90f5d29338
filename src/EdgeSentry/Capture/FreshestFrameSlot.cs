using EdgeSentry.Diagnostics;

namespace EdgeSentry.Capture;

/// <summary>
/// The one place where video is dropped. Each camera's decoder puts frames here; detection takes the
/// newest. A frame that is replaced before detection took it is disposed (its buffer goes back to the
/// pool) and counted, so latency cannot creep up when detection is slower than the camera.
/// </summary>
public sealed class FreshestFrameSlot : IDisposable
{
    private readonly Lock _gate = new();
    private readonly EdgeSentryMetrics? _metrics;
    private readonly KeyValuePair<string, object?> _cameraTag;
    private Frame? _frame;
    private long _dropped;
    private long _offered;
    private bool _disposed;

    public FreshestFrameSlot(string cameraId, EdgeSentryMetrics? metrics = null)
    {
        CameraId = cameraId;
        _metrics = metrics;
        _cameraTag = new("camera", cameraId);
    }

    public string CameraId { get; }

    /// <summary>Frames replaced by a newer one before detection took them.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Frames put into the slot.</summary>
    public long Offered => Interlocked.Read(ref _offered);

    /// <summary>Raised (outside the lock) when a frame lands in an empty slot: the scheduler's cue.</summary>
    public event Action<FreshestFrameSlot>? FrameAvailable;

    /// <summary>Takes ownership of <paramref name="frame"/>. Returns true if an older frame was dropped.</summary>
    public bool Put(Frame frame)
    {
        Frame? old;
        lock (_gate)
        {
            if (_disposed)
            {
                old = frame;
            }
            else
            {
                old = _frame;
                _frame = frame;
                Interlocked.Increment(ref _offered);
            }
        }

        if (old is not null)
        {
            if (!ReferenceEquals(old, frame))
            {
                Interlocked.Increment(ref _dropped);
                _metrics?.FramesDropped.Add(1, _cameraTag);
            }

            old.Dispose();
            return true;
        }

        FrameAvailable?.Invoke(this);
        return false;
    }

    /// <summary>Takes the newest frame (the caller now owns it), or null when the slot is empty.</summary>
    public Frame? Take()
    {
        lock (_gate)
        {
            var f = _frame;
            _frame = null;
            return f;
        }
    }

    public bool HasFrame
    {
        get
        {
            lock (_gate)
            {
                return _frame is not null;
            }
        }
    }

    public void Dispose()
    {
        Frame? f;
        lock (_gate)
        {
            _disposed = true;
            f = _frame;
            _frame = null;
        }

        f?.Dispose();
    }
}
