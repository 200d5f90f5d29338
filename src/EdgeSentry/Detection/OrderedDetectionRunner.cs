using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using EdgeSentry.Capture;

namespace EdgeSentry.Detection;

/// <summary>
/// Runs the frames of one sequential source (a file or a stream) through K detectors side by side, each on its
/// own thread (K sessions x T intra-op threads, as the service and <c>bench</c> use the box), and hands them back
/// in frame order. Nothing is dropped: a reader thread fills frames from a fixed pool, a full pool blocks it
/// (back-pressuring the decoder), and the caller's thread emits frame i only after frames 0..i-1.
/// Every frame has one owner at a time: reader -> worker -> emitter, which returns it to the pool.
/// </summary>
public sealed class OrderedDetectionRunner
{
    private readonly IReadOnlyList<IObjectDetector> _detectors;
    private readonly FramePool _pool;
    private readonly int _maxDetections;

    /// <param name="detectors">One per worker; each is used by its worker's thread only.</param>
    /// <param name="pool">Frames in flight; its capacity bounds the reorder window. At least one more than the workers keeps them all busy while the reader fills the next.</param>
    public OrderedDetectionRunner(IReadOnlyList<IObjectDetector> detectors, FramePool pool, int maxDetections = 512)
    {
        ArgumentOutOfRangeException.ThrowIfZero(detectors.Count);
        ArgumentOutOfRangeException.ThrowIfLessThan(pool.Capacity, detectors.Count);
        _detectors = detectors;
        _pool = pool;
        _maxDetections = maxDetections;
    }

    /// <summary>
    /// Reads frames with <paramref name="read"/> (false = end of source) on a dedicated thread, detects on the
    /// workers and calls <paramref name="emit"/> on the calling thread in frame order. Returns the number of
    /// frames emitted. The first failure of the reader, a worker or <paramref name="emit"/> stops the run and is
    /// rethrown once every thread has ended and every frame is back in the pool.
    /// </summary>
    public long Run(Func<Frame, bool> read, long? maxFrames, Action<DetectedFrame> emit, CancellationToken cancellationToken)
    {
        int window = _pool.Capacity;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var free = new BlockingCollection<DetectedFrame>(window);
        using var work = new BlockingCollection<DetectedFrame>(window);
        using var done = new BlockingCollection<DetectedFrame>(window);
        for (int i = 0; i < window; i++)
        {
            free.Add(new DetectedFrame(_maxDetections), CancellationToken.None);
        }

        Exception? failure = null;
        void Fail(Exception e)
        {
            Interlocked.CompareExchange(ref failure, e, null);
            stop.Cancel();
        }

        var reader = new Thread(() =>
        {
            try
            {
                for (long index = 0; maxFrames is not long max || index < max; index++)
                {
                    var slot = free.Take(stop.Token);
                    var frame = _pool.Rent(stop.Token);
                    bool filled = false;
                    try
                    {
                        filled = read(frame);
                    }
                    finally
                    {
                        if (!filled)
                        {
                            frame.Dispose();
                        }
                    }

                    if (!filled)
                    {
                        break;
                    }

                    slot.Index = index;
                    slot.Frame = frame;

                    // Never blocks (as many slots as capacity), and never refuses: the drain at the end owns what is queued.
                    work.Add(slot, CancellationToken.None);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                Fail(e);
            }
            finally
            {
                work.CompleteAdding();
            }
        })
        { IsBackground = true, Name = "detect-read" };

        int workersLeft = _detectors.Count;
        var workers = _detectors.Select((detector, w) => new Thread(() =>
        {
            try
            {
                foreach (var slot in work.GetConsumingEnumerable(stop.Token))
                {
                    try
                    {
                        slot.Count = detector.Detect(slot.Frame.Image, slot.Results);
                    }
                    catch
                    {
                        slot.Frame.Dispose();
                        throw;
                    }

                    done.Add(slot, CancellationToken.None);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                Fail(e);
            }
            finally
            {
                if (Interlocked.Decrement(ref workersLeft) == 0)
                {
                    done.CompleteAdding();
                }
            }
        })
        { IsBackground = true, Name = $"detect-worker-{w}" }).ToList();

        reader.Start();
        workers.ForEach(t => t.Start());

        // Frames in flight are always within [next, next + window): the reader cannot take a slot for frame
        // next + window before frame next is emitted, so index % window never collides.
        var pending = new DetectedFrame?[window];
        long next = 0;
        try
        {
            foreach (var slot in done.GetConsumingEnumerable(stop.Token))
            {
                pending[slot.Index % window] = slot;
                while (pending[next % window] is { } ready && ready.Index == next)
                {
                    pending[next % window] = null;
                    try
                    {
                        emit(ready);
                    }
                    finally
                    {
                        ready.Frame.Dispose();
                        ready.Frame = null!;
                        // Never blocks: the slot came from this collection and nothing else adds to it.
                        free.Add(ready, CancellationToken.None);
                    }

                    next++;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Fail(e);
        }
        finally
        {
            // Leaving early (a failure or cancellation) unblocks a reader waiting for a slot or a frame and
            // workers waiting to hand one over.
            if (!done.IsCompleted)
            {
                stop.Cancel();
            }

            reader.Join();
            workers.ForEach(t => t.Join());
            foreach (var left in pending.OfType<DetectedFrame>().Concat(work).Concat(done))
            {
                left.Frame?.Dispose();
            }
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }

        cancellationToken.ThrowIfCancellationRequested();
        return next;
    }
}
