using EdgeSentry.Capture;
using EdgeSentry.Detection;

namespace EdgeSentry.Tests.Pipeline;

/// <summary>
/// A real detector with a fault injected on request: once armed, the next <see cref="Detect"/> call (on any
/// worker sharing the <see cref="FaultPlan"/>) throws or blocks until the plan is released. Every other call
/// goes to the real session.
/// </summary>
internal sealed class FaultInjectingDetector(IObjectDetector inner, FaultPlan plan) : IObjectDetector
{
    public IReadOnlyList<string> Labels => inner.Labels;

    public int Detect(BgrImage image, Span<EdgeSentry.Detection.Detection> results)
    {
        plan.BeforeCall();
        return inner.Detect(image, results);
    }

    public void Dispose()
    {
        Interlocked.Increment(ref plan.Disposed);
        inner.Dispose();
    }
}

internal sealed class FaultPlan : IDisposable
{
    private readonly ManualResetEventSlim _release = new(false);
    private int _armed; // 0 none, 1 throw, 2 hang
    public int Disposed;

    /// <summary>Completes with the moment the injected fault happened.</summary>
    public TaskCompletionSource<System.Diagnostics.Stopwatch> Happened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ArmThrow() => Volatile.Write(ref _armed, 1);

    public void ArmHang() => Volatile.Write(ref _armed, 2);

    public void BeforeCall()
    {
        switch (Interlocked.Exchange(ref _armed, 0))
        {
            case 1:
                Happened.TrySetResult(System.Diagnostics.Stopwatch.StartNew());
                throw new InvalidOperationException("injected: detector failed on this frame");
            case 2:
                Happened.TrySetResult(System.Diagnostics.Stopwatch.StartNew());
                _release.Wait();
                break;
        }
    }

    /// <summary>Lets a blocked call return (the test's cleanup: the abandoned thread then ends).</summary>
    public void Dispose()
    {
        _release.Set();
    }
}
