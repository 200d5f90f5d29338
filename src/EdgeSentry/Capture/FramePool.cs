using System.Threading.Channels;

namespace EdgeSentry.Capture;

/// <summary>
/// A fixed set of pinned frame buffers for one camera at one size. Capacity 3 covers the steady state
/// (one being filled by the decoder, one waiting in the freshest-frame slot, one in detection); the
/// extra one absorbs a snapshot being encoded. The pool never grows: if it runs dry the decoder waits,
/// which back-pressures ffmpeg's pipe instead of dropping (frames are dropped only in the slot).
/// </summary>
public sealed class FramePool : IDisposable
{
    private readonly Channel<Frame> _free;
    private readonly Frame[] _frames;

    public FramePool(string cameraId, int width, int height, int capacity = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        if (width <= 0 || height <= 0 || (long)width * height * 3 > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"frame size {width}x{height} is not usable");
        }

        CameraId = cameraId;
        Width = width;
        Height = height;
        _free = Channel.CreateBounded<Frame>(new BoundedChannelOptions(capacity) { SingleReader = false, SingleWriter = false });
        _frames = new Frame[capacity];
        for (int i = 0; i < capacity; i++)
        {
            // Pinned once for the life of the pool: the buffers never move, so native code (JPEG encoder)
            // can read them without pinning per frame.
            var buffer = GC.AllocateUninitializedArray<byte>(width * height * 3, pinned: true);
            _frames[i] = new Frame(this, buffer, width, height);
            _free.Writer.TryWrite(_frames[i]);
        }
    }

    public string CameraId { get; }
    public int Width { get; }
    public int Height { get; }
    public int Capacity => _frames.Length;
    public int Available => _free.Reader.Count;

    public bool TryRent(out Frame frame)
    {
        if (_free.Reader.TryRead(out var f) && f.TryMarkRented())
        {
            frame = f;
            return true;
        }

        frame = null!;
        return false;
    }

    /// <summary>Waits for a free buffer (blocking the calling decoder thread, never dropping).</summary>
    public Frame Rent(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryRent(out var frame))
            {
                return frame;
            }

            // Blocking is deliberate: only a decoder's own dedicated reader thread calls this.
            var wait = _free.Reader.WaitToReadAsync(cancellationToken);
            bool open = wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
            ObjectDisposedException.ThrowIf(!open, this);
        }
    }

    internal void Return(Frame frame) => _free.Writer.TryWrite(frame);

    public void Dispose() => _free.Writer.TryComplete();
}
