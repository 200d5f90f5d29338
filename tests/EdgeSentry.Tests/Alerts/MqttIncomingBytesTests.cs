using EdgeSentry.Alerts;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Alerts;

/// <summary>The inbound queue is bounded in bytes, not only in messages (real mosquitto).</summary>
public sealed class MqttIncomingBytesTests
{
    [Fact]
    public async Task Messages_ReaderStalled_QueueHoldsNoMoreThanItsByteCapacityAndDropsAreCounted()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var edge = new MqttConnection(new MqttConnectionOptions
        {
            Host = broker.Host,
            Port = broker.Port,
            ClientId = "bytes-" + Guid.NewGuid().ToString("N")[..8],
            IncomingCapacity = 1000,
            MaxIncomingPayloadBytes = 1024,
            IncomingCapacityBytes = 4096,
        });
        await using var sender = await MqttTestSubscriber.StartAsync(broker, "nothing/here");
        CancellationToken cap = MqttTestSubscriber.Cap();
        await edge.ConnectAsync(cap);
        await edge.SubscribeAsync("edgesentry/v1/units/+/status", 1, cap);

        // Ten 1000-byte messages while nobody reads: far under the count capacity, over the byte capacity.
        for (int i = 0; i < 10; i++)
        {
            await sender.Connection.PublishAsync("edgesentry/v1/units/u-1/status", new byte[1000], 1, retain: false, cap);
        }

        while (edge.Messages.Count + edge.DroppedIncoming < 10)
        {
            await Task.Delay(20, cap);
        }

        Assert.Equal(4, edge.Messages.Count);
        Assert.Equal(6, edge.DroppedIncoming);
        Assert.Equal(6, MqttConnectionTests.ObservedMetric(edge, "edgesentry.mqtt.incoming_dropped"));
        Assert.Equal(4000, edge.IncomingBytes);

        // Reading gives the bytes back: the next message is queued again.
        while (edge.Messages.TryRead(out _))
        {
        }

        Assert.Equal(0, edge.IncomingBytes);
        await sender.Connection.PublishAsync("edgesentry/v1/units/u-1/status", new byte[1000], 1, retain: false, cap);
        MqttMessage next = await edge.Messages.ReadAsync(cap);
        Assert.Equal(1000, next.Payload.Length);
        Assert.Equal(6, edge.DroppedIncoming);
    }
}
