using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Alerts;

/// <summary>
/// The send loop between the outbox store and the MQTT connection. It sends stored messages in order, pipelining
/// up to the connection's in-flight limit, deletes each on its PUBACK, and handles every failure per message so
/// that none blocks the queue:
/// <list type="bullet">
/// <item>too large for the broker's Maximum Packet Size: made to fit (<see cref="AlertShrinker"/>) before it is
/// sent, or set aside when it cannot be;</item>
/// <item>refused for good (not authorized, topic name invalid, payload format invalid, packet too large): set aside;</item>
/// <item>refused for now (quota exceeded, unspecified or implementation-specific error, packet id in use): sent
/// again after a doubling delay, set aside after <see cref="OutboxOptions.MaxAttempts"/>;</item>
/// <item>connection closed before the PUBACK: the row stays and is sent again (this run or the next).</item>
/// </list>
/// </summary>
public sealed class OutboxSender
{
    /// <summary>Reasons of <c>edgesentry.outbox.publish_failures</c>.</summary>
    public const string TooLarge = "too-large";
    public const string RetryLater = "retry-later";
    public const string Refused = "refused";
    public const string Unacknowledged = "unacknowledged";

    private readonly AlertOutbox _outbox;
    private readonly MqttConnection _connection;
    private readonly AlertShrinker _shrinker;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public OutboxSender(AlertOutbox outbox, MqttConnection connection, AlertShrinker? shrinker = null, TimeProvider? time = null, ILogger<OutboxSender>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(connection);
        _outbox = outbox;
        _connection = connection;
        _shrinker = shrinker ?? new AlertShrinker();
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>PUBACK reason codes that mean "try again later"; every other refusal is final.</summary>
    public static bool IsRetryLater(int reasonCode) => reasonCode is 0x80 or 0x83 or 0x89 or 0x91 or 0x97;

    /// <summary>
    /// Sends until cancelled. Waits for the first connection before anything (so the broker's limits are known
    /// and an oversized message is shrunk in its place in the order). One sender per outbox; cancel it (and await
    /// it) before disposing the outbox.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _outbox.ClaimSender();
        try
        {
            await _connection.WhenConnectedAsync(cancellationToken);
            await SendAsync(cancellationToken);
        }
        finally
        {
            _outbox.ReleaseSender();
        }
    }

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        var acknowledged = Channel.CreateUnbounded<StoredMessage>(new UnboundedChannelOptions { SingleReader = true });
        Task deleter = DeleteAcknowledgedAsync(acknowledged.Reader);
        long lastHanded = 0;
        try
        {
            while (true)
            {
                _outbox.ConsumeWake();
                List<StoredMessage> batch = await _outbox.ReadAfterAsync(lastHanded, cancellationToken);
                if (batch.Count == 0)
                {
                    await _outbox.WaitForWorkAsync(cancellationToken);
                    continue;
                }

                foreach (StoredMessage stored in batch)
                {
                    lastHanded = stored.Seq;
                    if (_outbox.IsExpired(stored))
                    {
                        await _outbox.DropExpiredAsync(stored);
                        continue;
                    }

                    if (await FitAsync(stored, _connection.MaximumPacketSize) is not { } message)
                    {
                        continue;
                    }

                    Task ack = await _connection.BeginPublishAsync(message.Topic, message.Payload, message.Qos, message.Retain, message.ExpirySeconds, cancellationToken);
                    _ = TrackAsync(ack, message, attempt: 1, acknowledged.Writer, cancellationToken);
                }
            }
        }
        finally
        {
            acknowledged.Writer.TryComplete();
            await deleter;
        }
    }

    /// <summary>The message as it can be sent under <paramref name="maximumPacketSize"/>, or null once it was set aside.</summary>
    private async Task<StoredMessage?> FitAsync(StoredMessage message, long maximumPacketSize)
    {
        long packet = MqttConnection.PacketSize(message.Topic, message.Payload.Length);
        if (packet <= maximumPacketSize)
        {
            return message;
        }

        long maxPayload = maximumPacketSize - (packet - message.Payload.Length);
        (byte[] Payload, string Outcome)? fitted;
        try
        {
            fitted = _shrinker.Fit(message.Payload, maxPayload);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            fitted = null;
        }

        if (fitted is not { } fit)
        {
            await _outbox.SetAsideAsync(message, "too-large", $"{packet} bytes, the broker accepts {maximumPacketSize}");
            return null;
        }

        await _outbox.ReplacePayloadAsync(message, fit.Payload, fit.Outcome);
        AlertsLog.OutboxShrunk(_logger, message.MessageId, message.Topic, maximumPacketSize, fit.Outcome, message.Payload.Length, fit.Payload.Length);
        return message with { Payload = fit.Payload };
    }

    private async Task TrackAsync(Task ack, StoredMessage message, int attempt, ChannelWriter<StoredMessage> acknowledged, CancellationToken cancellationToken)
    {
        try
        {
            await ack;
            acknowledged.TryWrite(message);
            return;
        }
        catch (MqttPublishException ex) when (ex.TooLarge)
        {
            _outbox.CountPublishFailure(TooLarge);
            // The limit was learned after the message was handed over (a broker that states none and dropped us).
            if (await FitAsync(message, ex.PacketBytes - 1) is { } fitted)
            {
                await ResendAsync(fitted, attempt, acknowledged, cancellationToken);
            }
        }
        catch (MqttPublishException ex) when (ex.BrokerReasonCode is { } code && IsRetryLater(code))
        {
            _outbox.CountPublishFailure(RetryLater);
            if (attempt >= _outbox.Options.MaxAttempts)
            {
                await _outbox.SetAsideAsync(message, "retries-exhausted", ex.Message);
                return;
            }

            TimeSpan delay = _outbox.Options.RetryDelay * Math.Pow(2, attempt - 1);
            AlertsLog.OutboxRetryLater(_logger, message.MessageId, attempt, delay, ex.Message);
            try
            {
                await Task.Delay(delay, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await ResendAsync(message, attempt + 1, acknowledged, cancellationToken);
        }
        catch (MqttPublishException ex) when (ex.BrokerReasonCode is not null)
        {
            _outbox.CountPublishFailure(Refused);
            await _outbox.SetAsideAsync(message, "refused", ex.Message);
        }
        catch (MqttPublishException ex)
        {
            // The connection closed first: the row stays and the next run sends it again.
            _outbox.CountPublishFailure(Unacknowledged);
            AlertsLog.OutboxUnacknowledged(_logger, message.MessageId, ex.Message);
        }
        catch (ObjectDisposedException)
        {
            // Shutting down: the row stays for the next run.
        }
    }

    private async Task ResendAsync(StoredMessage message, int attempt, ChannelWriter<StoredMessage> acknowledged, CancellationToken cancellationToken)
    {
        try
        {
            Task ack = await _connection.BeginPublishAsync(message.Topic, message.Payload, message.Qos, message.Retain, message.ExpirySeconds, cancellationToken);
            await TrackAsync(ack, message, attempt, acknowledged, cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // Stopping: the row stays for the next run.
        }
    }

    private async Task DeleteAcknowledgedAsync(ChannelReader<StoredMessage> acknowledged)
    {
        var batch = new List<StoredMessage>(1024);
        while (await acknowledged.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < 1024 && acknowledged.TryRead(out StoredMessage? item))
            {
                batch.Add(item);
            }

            await _outbox.DeleteAcknowledgedAsync(batch);
        }
    }
}
