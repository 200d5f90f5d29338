namespace EdgeSentry.Capture;

/// <summary>
/// One decoded BGR24 frame in a buffer that belongs to a <see cref="FramePool"/>. Exactly one owner
/// holds it at a time (reader -> slot -> inference worker); whoever holds it last disposes it, which
/// hands the buffer back to the pool. Frame objects are created once with the pool and reused, so the
/// per-frame path allocates nothing.
/// </summary>
public sealed class Frame : IDisposable
{
    private readonly FramePool _pool;
    private readonly byte[] _buffer;
    private int _rented;

    internal Frame(FramePool pool, byte[] buffer, int width, int height)
    {
        _pool = pool;
        _buffer = buffer;
        Width = width;
        Height = height;
    }

    public string CameraId => _pool.CameraId;
    public int Width { get; }
    public int Height { get; }
    public int ByteLength => Width * Height * 3;

    /// <summary>0-based number of the frame since the camera source started (restarts included).</summary>
    public long Sequence { get; internal set; }

    /// <summary>Stream time in seconds; monotonic per camera, also across decoder restarts.</summary>
    public double PtsSeconds { get; internal set; }

    /// <summary>Wall-clock moment the frame was read from the decoder.</summary>
    public DateTimeOffset CapturedAt { get; internal set; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> at capture, for latency measurement.</summary>
    public long CapturedTimestamp { get; internal set; }

    public BgrImage Image => new(_buffer.AsSpan(0, ByteLength), Width, Height);

    /// <summary>The writable pixels, for the decoder that fills the frame.</summary>
    public Span<byte> Pixels => _buffer.AsSpan(0, ByteLength);

    internal bool TryMarkRented() => Interlocked.Exchange(ref _rented, 1) == 0;

    /// <summary>Returns the buffer to its pool. A second dispose is ignored, so a drop path and a
    /// normal path can never return the same buffer twice.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _rented, 0) == 1)
        {
            _pool.Return(this);
        }
    }
}
