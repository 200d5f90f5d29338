using EdgeSentry.Alerts;
using EdgeSentry.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Diagnostics;

/// <summary>
/// Once a second: refreshes the health probe, republishes the retained edge status when health changed, and
/// tells systemd's watchdog the service is alive while it is not failing (a failing or hung edge stops
/// petting it and systemd restarts the service after <c>WatchdogSec</c>).
/// </summary>
public sealed class HealthMonitor : BackgroundService
{
    private readonly EdgeNodeHealthProbe _probe;
    private readonly ISystemdNotifier _notifier;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _interval;
    private readonly Supervisor _supervisor;
    private EdgeHealthReport? _published;
    private EdgeHealthReport? _logged;
    private AlertPublisher? _hooked;

    public HealthMonitor(EdgeNodeHealthProbe probe, ISystemdNotifier notifier, TimeProvider timeProvider, ILogger<HealthMonitor> logger, TimeSpan? interval = null, Supervisor? supervisor = null)
    {
        _supervisor = supervisor ?? probe.Node.Supervisor;
        _probe = probe;
        _notifier = notifier;
        _time = timeProvider;
        _logger = logger;
        _interval = interval ?? TimeSpan.FromSeconds(1);
    }

    /// <summary>Turns a report into the status payload's health part.</summary>
    public static EdgeStatusHealth ToStatus(EdgeHealthReport report) => new(report.Status.ToWire(), report.Reasons);

    /// <summary>One round: refresh, log and publish a change, pet the watchdog. Public for tests.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        _probe.Refresh();
        var report = _probe.Health.Current;
        if (_probe.Node.Publisher is { } publisher && !ReferenceEquals(publisher, _hooked))
        {
            // Whatever status goes out (ours, or the publisher's own "online" after a reconnect) carries the
            // current health, and what went out is remembered, so a stale one is replaced on the next round.
            publisher.Health = () =>
            {
                var current = _probe.Health.Current;
                Volatile.Write(ref _published, current);
                return ToStatus(current);
            };
            _hooked = publisher;
        }

        if (!report.Equals(_logged))
        {
            string status = report.Status.ToWire();
            string reasons = string.Join("; ", report.Reasons);
            DiagnosticsLog.HealthChanged(_logger, status, reasons);

            _logged = report;
        }

        if (!report.Equals(Volatile.Read(ref _published)))
        {
            if (_hooked is { Connection.IsConnected: true })
            {
                try
                {
                    await _hooked.RefreshStatusAsync(cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
                {
                    // Tried again next round.
                    Volatile.Write(ref _published, null);
                    DiagnosticsLog.StatusNotPublished(_logger, e.Message);
                }
            }
        }

        if (_notifier.IsEnabled && report.Status != HealthStatus.Failing)
        {
            _notifier.Notify(new ServiceState("WATCHDOG=1"));
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _supervisor.RunAsync("health", RunRoundsAsync, mayComplete: false, stoppingToken);

    private async Task RunRoundsAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        do
        {
            try
            {
                await TickAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One round's fault is counted and skipped; the next round tries again.
                _supervisor.ItemFaulted("health", e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
