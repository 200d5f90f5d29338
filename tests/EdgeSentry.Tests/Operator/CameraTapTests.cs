using EdgeSentry.Capture;
using EdgeSentry.Configuration;
using EdgeSentry.Detection;
using EdgeSentry.Operator;
using EdgeSentry.Tests.Peers;
using EdgeSentry.Tracking;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Tests.Operator;

public sealed class CameraTapTests
{
    private static readonly EdgeSentry.Detection.Detection[] Person = [new(0, 0.8f, new BoundingBox(8, 8, 40, 56))];

    private static (CameraTap Tap, ManualTimeProvider Time) Create()
    {
        var time = new ManualTimeProvider();
        var tap = new CameraTap(new CameraSection { Id = "cam" }, ["person"], 0.3f, time, NullLogger.Instance);
        return (tap, time);
    }

    [Fact]
    public void Observe_NobodyWatching_DrawsNothingButCountsScores()
    {
        var (tap, time) = Create();
        using var pool = new FramePool("cam", 64, 64, capacity: 2);
        using var frame = pool.Rent(CancellationToken.None);
        tap.Observe(frame, Person, ReadOnlySpan<TrackedObject>.Empty);
        Assert.Null(tap.Latest);
        Assert.Equal(1, tap.Scores.Window(frame.CapturedAt)[0].Sum());
        tap.Dispose();
    }

    [Fact]
    public void Observe_WhileWatched_DrawsAtMostFourPerSecondAndStopsWhenTheLeaseEnds()
    {
        var (tap, time) = Create();
        using var pool = new FramePool("cam", 64, 64, capacity: 2);
        using var frame = pool.Rent(CancellationToken.None);
        tap.Watch();
        tap.Observe(frame, Person, ReadOnlySpan<TrackedObject>.Empty);
        var first = tap.Latest;
        Assert.NotNull(first);
        Assert.Equal("person", Assert.Single(first.Boxes).Label);
        Assert.Equal(0xFF, first.Jpeg[0]);

        time.Advance(TimeSpan.FromMilliseconds(100));
        tap.Observe(frame, Person, ReadOnlySpan<TrackedObject>.Empty);
        Assert.Same(first, tap.Latest);

        time.Advance(CameraTap.MinInterval);
        tap.Observe(frame, Person, ReadOnlySpan<TrackedObject>.Empty);
        var second = tap.Latest;
        Assert.Equal(first.Sequence + 1, second!.Sequence);

        time.Advance(CameraTap.ViewerLease);
        tap.Observe(frame, Person, ReadOnlySpan<TrackedObject>.Empty);
        Assert.Same(second, tap.Latest);
        tap.Dispose();
    }
}
