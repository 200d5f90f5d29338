using System.Threading.Channels;

namespace EdgeSentry.Alerts;

/// <summary>
/// The reading side of <see cref="MqttConnection.Messages"/>: hands messages on and gives their payload bytes back
/// to the connection's byte budget as they are taken, so the inbound queue is bounded in bytes as well as count.
/// </summary>
internal sealed class ByteCountingReader(ChannelReader<MqttMessage> inner, Action<long> released) : ChannelReader<MqttMessage>
{
    public override Task Completion => inner.Completion;

    public override bool CanCount => inner.CanCount;

    public override int Count => inner.Count;

    public override bool TryRead(out MqttMessage item)
    {
        if (inner.TryRead(out item!))
        {
            released(item.Payload.Length);
            return true;
        }

        return false;
    }

    public override bool TryPeek(out MqttMessage item) => inner.TryPeek(out item!);

    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => inner.WaitToReadAsync(cancellationToken);
}
