using EdgeSentry.Diagnostics;
using EdgeSentry.Pipeline;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Pipeline;

/// <summary>The supervisor's policy on manual time: restart with backoff, health while restarting, stop is not a fault.</summary>
public class SupervisorTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RunAsync_LoopThrows_DegradedWhileWaitingThenRestartedAfterBackoffAndCounted()
    {
        var time = new ManualTimeProvider();
        var supervisor = new Supervisor(time, options: new SupervisorOptions { InitialBackoff = TimeSpan.FromSeconds(4), MaxBackoff = TimeSpan.FromSeconds(60) });
        var degraded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        supervisor.Changed += () =>
        {
            if (supervisor.Health.Status == HealthStatus.Degraded)
            {
                degraded.TrySetResult();
            }
        };
        int runs = 0;
        var secondRun = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var running = supervisor.RunAsync("sender", async ct =>
        {
            if (Interlocked.Increment(ref runs) == 1)
            {
                throw new InvalidOperationException("boom");
            }

            secondRun.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, time, ct);
        }, mayComplete: false, stop.Token);

        await degraded.Task.WaitAsync(Guard);
        Assert.Contains(supervisor.Health.Reasons, r => r.Contains("sender", StringComparison.Ordinal) && r.Contains("boom", StringComparison.Ordinal));
        // Jitter keeps the first delay within [2, 4] s: not restarted before 2 s.
        time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Equal(1, Volatile.Read(ref runs));
        Assert.Equal(0, supervisor.Restarts);
        time.Advance(TimeSpan.FromSeconds(2.2));
        await secondRun.Task.WaitAsync(Guard);

        Assert.Equal(1, supervisor.Restarts);
        Assert.Equal(HealthStatus.Ok, supervisor.Health.Status);
        await stop.CancelAsync();
        await running.WaitAsync(Guard);
        Assert.Equal(2, runs);
    }

    [Fact]
    public async Task RunAsync_LoopReturnsWhileMeantToRun_Restarted()
    {
        var time = new ManualTimeProvider();
        var supervisor = new Supervisor(time, options: new SupervisorOptions { InitialBackoff = TimeSpan.FromSeconds(1) });
        int runs = 0;
        var thirdRun = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = new SemaphoreSlim(0);
        supervisor.Changed += () =>
        {
            if (supervisor.Health.Status == HealthStatus.Degraded)
            {
                waiting.Release();
            }
        };
        using var stop = new CancellationTokenSource();
        var running = supervisor.RunAsync("stats", async ct =>
        {
            if (Interlocked.Increment(ref runs) == 3)
            {
                thirdRun.TrySetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, time, ct);
            }
        }, mayComplete: false, stop.Token);

        for (int i = 0; i < 2; i++)
        {
            Assert.True(await waiting.WaitAsync(Guard));
            time.Advance(TimeSpan.FromSeconds(2.1)); // past the longest jittered delay of steps 1 and 2 (1 s, 2 s)
        }

        await thirdRun.Task.WaitAsync(Guard);
        Assert.Equal(2, supervisor.Restarts);
        await stop.CancelAsync();
        await running.WaitAsync(Guard);
    }

    [Fact]
    public async Task RunAsync_LoopMayCompleteOrIsCancelled_NotRestarted()
    {
        var time = new ManualTimeProvider();
        var supervisor = new Supervisor(time);
        int runs = 0;
        await supervisor.RunAsync("camera/file", _ =>
        {
            runs++;
            return Task.CompletedTask;
        }, mayComplete: true, CancellationToken.None).WaitAsync(Guard);

        using var stop = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = supervisor.RunAsync("sender", async ct =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, time, ct);
        }, mayComplete: false, stop.Token);
        await started.Task.WaitAsync(Guard);
        await stop.CancelAsync();
        await cancelled.WaitAsync(Guard);

        Assert.Equal(1, runs);
        Assert.Equal(0, supervisor.Restarts);
        Assert.Equal(HealthStatus.Ok, supervisor.Health.Status);
    }

    [Theory]
    [InlineData(1, 1, 2)]
    [InlineData(3, 4, 8)]
    [InlineData(20, 30, 60)]
    public void Backoff_Failures_DoublesJitteredAndCapped(int failures, double atLeast, double atMost)
    {
        var supervisor = new Supervisor(TimeProvider.System, options: new SupervisorOptions { InitialBackoff = TimeSpan.FromSeconds(2), MaxBackoff = TimeSpan.FromSeconds(60) });
        for (int i = 0; i < 200; i++)
        {
            double s = supervisor.Backoff(failures).TotalSeconds;
            Assert.InRange(s, atLeast, atMost);
        }
    }

    [Fact]
    public void ItemFaulted_OneItem_CountedWithoutChangingHealth()
    {
        var supervisor = new Supervisor(TimeProvider.System);
        supervisor.ItemFaulted("detect", new InvalidOperationException("one frame"), "cam-a");
        Assert.Equal(1, supervisor.Faults);
        Assert.Equal(HealthStatus.Ok, supervisor.Health.Status);
    }
}
