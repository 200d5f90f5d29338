using System.Diagnostics;
using EdgeSentry.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Pipeline;

/// <summary>
/// The one supervisor of the edge's long-running loops (camera sources, detector workers, the outbox sender,
/// the routing input and SLA loops, the stats publisher, the health monitor). Its policy:
/// <list type="bullet">
/// <item><b>A fault in one item</b> (one frame's <c>Detect</c> or analysis, one message, one unit message, one
/// health round) is caught by the loop that owns the item and reported through <see cref="ItemFaulted"/>:
/// counted (<c>edgesentry.faults</c>, tag <c>stage</c>), logged, and the item is skipped. The loop goes on.</item>
/// <item><b>A loop that ends unexpectedly</b> (throws, or returns while it was meant to run until stopped) is
/// restarted by <see cref="RunAsync"/> after a jittered exponential backoff (from
/// <see cref="SupervisorOptions.InitialBackoff"/> doubling up to <see cref="SupervisorOptions.MaxBackoff"/>, each
/// delay drawn in [½, 1] of the step so that loops failing together do not retry together; the step resets once
/// a run lasted <see cref="SupervisorOptions.StableAfter"/>) and counted (<c>edgesentry.loop.restarts</c>, tag
/// <c>loop</c>). There is no restart limit: a loop that keeps failing keeps the edge degraded and retries every
/// <see cref="SupervisorOptions.MaxBackoff"/>.</item>
/// <item><b>A detector call past the watchdog limit</b> is abandoned by the detection stage (its session
/// recreated, the camera released) and reported through <see cref="WatchdogRecovered"/>
/// (<c>edgesentry.detector.watchdog_recoveries</c>, tags <c>model</c>, <c>worker</c>).</item>
/// </list>
/// Health: the supervisor is degraded, with a reason per loop, while a loop waits to be restarted, and after a
/// watchdog recovery until the worker's new session has finished a frame and at least one watchdog limit has
/// passed; ok again after that.
/// Cancellation of the token passed to a loop is a stop, never a fault.
/// </summary>
public sealed class Supervisor
{
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EdgeSentryMetrics? _metrics;
    private readonly SupervisorOptions _options;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, string> _problems = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Reason, long At, TimeSpan Hold)> _recoveries = new(StringComparer.Ordinal);
    private long _faults;
    private long _restarts;
    private long _watchdogRecoveries;

    public Supervisor(TimeProvider timeProvider, ILogger<Supervisor>? logger = null, EdgeSentryMetrics? metrics = null, SupervisorOptions? options = null)
    {
        _time = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _metrics = metrics;
        _options = options ?? new SupervisorOptions();
    }

    /// <summary>Items that faulted and were skipped, all stages.</summary>
    public long Faults => Interlocked.Read(ref _faults);

    /// <summary>Loop restarts, all loops.</summary>
    public long Restarts => Interlocked.Read(ref _restarts);

    /// <summary>Detector calls abandoned by the watchdog.</summary>
    public long WatchdogRecoveries => Interlocked.Read(ref _watchdogRecoveries);

    /// <summary>Raised (on the reporting thread) after a fault, a restart or a recovery, and when a problem clears.</summary>
    public event Action? Changed;

    /// <summary>Ok, or degraded with one reason per loop that is restarting or recovering.</summary>
    public (HealthStatus Status, IReadOnlyList<string> Reasons) Health
    {
        get
        {
            lock (_gate)
            {
                return _problems.Count == 0 ? (HealthStatus.Ok, []) : (HealthStatus.Degraded, [.. _problems.Values]);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="loop"/> until <paramref name="cancellationToken"/> is cancelled, restarting it with
    /// backoff whenever it throws, or returns while <paramref name="mayComplete"/> is false (a file camera that
    /// played to its end may complete; a send loop may not). Never throws for the loop's faults.
    /// </summary>
    public async Task RunAsync(string name, Func<CancellationToken, Task> loop, bool mayComplete, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        // Yield first so that a loop's start never runs on the caller's stack.
        await Task.Yield();
        int failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            long started = _time.GetTimestamp();
            string reason;
            try
            {
                await loop(cancellationToken);
                if (mayComplete || cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                reason = "ended unexpectedly";
                PipelineLog.LoopEnded(_logger, name);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                reason = e.GetType().Name + ": " + e.Message;
                PipelineLog.LoopFaulted(_logger, name, e);
            }

            failures = _time.GetElapsedTime(started) >= _options.StableAfter ? 1 : failures + 1;
            var delay = Backoff(failures);
            // The delay's timer exists before anyone learns of the problem (tests advance manual time on that news).
            var waiting = Task.Delay(delay, _time, cancellationToken);
            SetProblem("loop/" + name, $"loop '{name}' restarting in {delay.TotalSeconds:0.#} s after: {Capture.UrlRedactor.Redact(reason)}");
            try
            {
                await waiting;
            }
            catch (OperationCanceledException)
            {
                ClearProblem("loop/" + name);
                return;
            }

            Interlocked.Increment(ref _restarts);
            _metrics?.LoopRestarts.Add(1, new KeyValuePair<string, object?>("loop", name));
            PipelineLog.LoopRestarting(_logger, name, failures);
            ClearProblem("loop/" + name);
        }
    }

    /// <summary>One item of <paramref name="stage"/> failed and was skipped by its loop: count and log it.</summary>
    public void ItemFaulted(string stage, Exception exception, string? subject = null)
    {
        Interlocked.Increment(ref _faults);
        _metrics?.Faults.Add(1, new KeyValuePair<string, object?>("stage", stage));
        PipelineLog.ItemFaulted(_logger, stage, subject ?? "-", exception);
        Changed?.Invoke();
    }

    /// <summary>
    /// A detector call ran past the watchdog limit and was abandoned; health stays degraded until the worker's new
    /// session finished a frame (<see cref="WorkerRecovered"/>) and for at least one more <paramref name="limit"/>
    /// after the recovery, so that a health reader sampling once a second sees it.
    /// </summary>
    public void WatchdogRecovered(string model, int worker, TimeSpan limit, string cameraId)
    {
        Interlocked.Increment(ref _watchdogRecoveries);
        _metrics?.WatchdogRecoveries.Add(1, new TagList { { "model", model }, { "worker", worker.ToString(System.Globalization.CultureInfo.InvariantCulture) } });
        PipelineLog.DetectorHung(_logger, model, worker, limit.TotalSeconds, cameraId);
        string reason = $"detector worker {worker} ({model}) hung over {limit.TotalSeconds:0.#} s on camera {cameraId}; session recreated";
        lock (_gate)
        {
            _recoveries[WorkerKey(model, worker)] = (reason, _time.GetTimestamp(), limit);
        }

        SetProblem(WorkerKey(model, worker), reason);
    }

    /// <summary>The worker's new session finished a frame: the problem clears now or when the hold after the recovery ends.</summary>
    public void WorkerRecovered(string model, int worker)
    {
        string key = WorkerKey(model, worker);
        (string Reason, long At, TimeSpan Hold) recovery;
        lock (_gate)
        {
            if (!_recoveries.Remove(key, out recovery))
            {
                return;
            }
        }

        var remaining = recovery.Hold - _time.GetElapsedTime(recovery.At);
        if (remaining <= TimeSpan.Zero)
        {
            ClearProblem(key, recovery.Reason);
            return;
        }

        // Cleared only if no newer recovery replaced this one meanwhile.
        _ = Task.Delay(remaining, _time).ContinueWith(_ => ClearProblem(key, recovery.Reason), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    /// <summary>The backoff before restart number <paramref name="failures"/> (1-based), jittered in [½, 1] of the step.</summary>
    public TimeSpan Backoff(int failures)
    {
        double step = _options.InitialBackoff.TotalSeconds * Math.Pow(2, Math.Min(failures - 1, 30));
        step = Math.Min(step, _options.MaxBackoff.TotalSeconds);
        return TimeSpan.FromSeconds(step * (0.5 + (Random.Shared.NextDouble() * 0.5)));
    }

    private static string WorkerKey(string model, int worker) => $"watchdog/{model}/{worker}";

    private void SetProblem(string key, string reason)
    {
        lock (_gate)
        {
            _problems[key] = reason;
        }

        Changed?.Invoke();
    }

    private void ClearProblem(string key, string? onlyIf = null)
    {
        bool removed;
        lock (_gate)
        {
            removed = (onlyIf is null || (_problems.TryGetValue(key, out var current) && ReferenceEquals(current, onlyIf))) && _problems.Remove(key);
        }

        if (removed)
        {
            Changed?.Invoke();
        }
    }
}
