namespace EdgeSentry.Tests.Peers;

/// <summary>
/// A TimeProvider whose clocks only move when a test says so. <see cref="Advance"/> moves the wall clock and the
/// monotonic timestamp together (time passes) and fires due timers; <see cref="JumpWallClock"/> moves the wall
/// clock alone (an NTP step, a hand-set date), as a real box's clock can jump while the monotonic one does not.
/// Timers run on the monotonic clock, like the system's. The local time zone is chosen by the test (UTC unless
/// given). Never sleeps.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now;
    private long _ticks;

    public ManualTimeProvider(DateTimeOffset? start = null, TimeZoneInfo? localTimeZone = null)
    {
        _now = start ?? new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
        // Not zero, not tied to the wall clock: code that mixes the two readings shows up in tests.
        _ticks = TimeSpan.FromDays(3).Ticks;
        LocalTimeZone = localTimeZone ?? TimeZoneInfo.Utc;
    }

    public override TimeZoneInfo LocalTimeZone { get; }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _ticks;
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Sets the wall clock to <paramref name="at"/>: forward, time passes (<see cref="Advance"/>); backward, the wall
    /// clock alone steps back (as a restarted source's clock may), the monotonic clock stays.
    /// </summary>
    public void SetUtcNow(DateTimeOffset at)
    {
        TimeSpan by = at - GetUtcNow();
        if (by >= TimeSpan.Zero)
        {
            Advance(by);
        }
        else
        {
            JumpWallClock(by);
        }
    }

    /// <summary>Moves the wall clock only (forward or back); the monotonic timestamp and the timers do not notice.</summary>
    public void JumpWallClock(TimeSpan by)
    {
        lock (_gate)
        {
            _now += by;
        }
    }

    /// <summary>Time passes: both clocks move forward by <paramref name="by"/>; due timers fire.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        List<ManualTimer> due;
        lock (_gate)
        {
            _now += by;
            _ticks += by.Ticks;
            due = _timers.Where(t => t.DueAt is { } at && at <= _ticks).ToList();
            foreach (ManualTimer timer in due)
            {
                timer.DueAt = timer.Period > TimeSpan.Zero ? _ticks + timer.Period.Ticks : null;
            }
        }

        foreach (ManualTimer timer in due)
        {
            timer.Fire();
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        /// <summary>Monotonic ticks at which it fires.</summary>
        public long? DueAt { get; set; }
        public TimeSpan Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : owner._ticks + dueTime.Ticks;
                if (!owner._timers.Contains(this))
                {
                    owner._timers.Add(this);
                }
            }

            return true;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
