using System.Diagnostics;
using System.Text.Json;
using EdgeSentry.Alerts;

namespace EdgeSentry.Tests.Peers;

/// <summary>
/// Everything a <see cref="MqttTestSubscriber"/> receives (each message validated against the contract on the
/// way), stamped on one stopwatch. Waits are event-driven: each arrival wakes the waiters, the token is a hang guard.
/// </summary>
public sealed class BrokerRecording : IAsyncDisposable
{
    private readonly MqttTestSubscriber _subscriber;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private readonly List<RecordedMessage> _messages = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BrokerRecording(MqttTestSubscriber subscriber)
    {
        _subscriber = subscriber;
        _pump = PumpAsync();
    }

    /// <summary>Time on the recording's stopwatch (the scale of <see cref="RecordedMessage.At"/>).</summary>
    public TimeSpan Now => _clock.Elapsed;

    /// <summary>The recording's own connection (to wait for it to be back after a broker restart).</summary>
    public MqttConnection Connection => _subscriber.Connection;

    /// <summary>Subscribes to <paramref name="pattern"/>; <paramref name="persistentSession"/> as in <see cref="MqttTestSubscriber.StartAsync"/>.</summary>
    public static async Task<BrokerRecording> StartAsync(MosquittoBroker broker, string pattern = "edgesentry/v1/#", bool persistentSession = false) =>
        new(await MqttTestSubscriber.StartAsync(broker, pattern, persistentSession));

    public IReadOnlyList<RecordedMessage> Where(Func<RecordedMessage, bool> match)
    {
        lock (_gate)
        {
            return [.. _messages.Where(match)];
        }
    }

    /// <summary>The first message so far, or the next to arrive, that matches.</summary>
    public async Task<RecordedMessage> WaitForAsync(Func<RecordedMessage, bool> match, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_messages.FirstOrDefault(match) is { } found)
                {
                    return found;
                }

                changed = _changed.Task;
            }

            if (_pump.IsCompleted)
            {
                await _pump;
                throw new InvalidOperationException("the recording subscriber stopped");
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    private async Task PumpAsync()
    {
        await Task.Yield();
        try
        {
            while (true)
            {
                MqttMessage m = await _subscriber.NextAsync(_stop.Token);
                JsonElement json = default;
                if (m.Payload.Length > 0 && m.Payload.Span[0] == (byte)'{')
                {
                    using JsonDocument doc = JsonDocument.Parse(m.Payload);
                    json = doc.RootElement.Clone();
                }

                TaskCompletionSource wake;
                lock (_gate)
                {
                    _messages.Add(new RecordedMessage(_clock.Elapsed, m.Topic, m.Retain, json));
                    wake = _changed;
                    _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                wake.TrySetResult();
            }
        }
        finally
        {
            lock (_gate)
            {
                _changed.TrySetResult();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _subscriber.DisposeAsync();
        _stop.Dispose();
    }
}
