using EdgeSentry.Capture;

namespace EdgeSentry.Tests.Capture;

public class FreshestFrameSlotTests
{
    [Fact]
    public void Put_WhileOccupied_DropsOldestAndReturnsItsBuffer()
    {
        using var pool = new FramePool("cam", 4, 2, capacity: 3);
        using var slot = new FreshestFrameSlot("cam");
        Assert.True(pool.TryRent(out var first));
        Assert.True(pool.TryRent(out var second));
        first.Sequence = 1;
        second.Sequence = 2;

        Assert.False(slot.Put(first));
        Assert.True(slot.Put(second));

        Assert.Equal(1, slot.Dropped);
        Assert.Equal(2, pool.Available);
        using var taken = slot.Take();
        Assert.NotNull(taken);
        Assert.Equal(2, taken.Sequence);
        Assert.Null(slot.Take());
    }

    [Fact]
    public void Put_IntoEmptySlot_RaisesFrameAvailableOnce()
    {
        using var pool = new FramePool("cam", 4, 2, capacity: 3);
        using var slot = new FreshestFrameSlot("cam");
        int signals = 0;
        slot.FrameAvailable += _ => signals++;
        pool.TryRent(out var a);
        pool.TryRent(out var b);
        slot.Put(a);
        slot.Put(b);
        Assert.Equal(1, signals);
    }

    [Fact]
    public void Dispose_Twice_ReturnsBufferOnce()
    {
        using var pool = new FramePool("cam", 4, 2, capacity: 2);
        pool.TryRent(out var frame);
        frame.Dispose();
        frame.Dispose();
        Assert.Equal(2, pool.Available);
        Assert.True(pool.TryRent(out _));
        Assert.True(pool.TryRent(out _));
        Assert.False(pool.TryRent(out _));
    }
}
