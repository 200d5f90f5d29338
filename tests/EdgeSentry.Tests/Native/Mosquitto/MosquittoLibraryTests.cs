using EdgeSentry.Native.Mosquitto;

namespace EdgeSentry.Tests.Native.Mosquitto;

public class MosquittoLibraryTests
{
    [Fact]
    public void Version_DebianLibmosquitto1_Is20()
    {
        (int major, int minor, _) = MosquittoLibrary.Version;

        Assert.Equal((2, 0), (major, minor));
    }

    [Fact]
    public void Describe_ConnectionRefused_UsesLibraryText()
    {
        string text = MosquittoLibrary.Describe((int)MosquittoError.ConnectionRefused);

        Assert.Contains("refused", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Describe_ErrnoWithConnectionRefused_AppendsErrnoText()
    {
        const int ECONNREFUSED = 111;

        string text = MosquittoLibrary.Describe((int)MosquittoError.Errno, ECONNREFUSED);

        Assert.EndsWith("Connection refused", text);
    }

    [Fact]
    public void ReasonText_NotAuthorized_UsesLibraryText()
    {
        Assert.Equal("Not authorized", MosquittoLibrary.ReasonText(0x87));
    }

    [Fact]
    public void Constructor_ClientIdWithNul_ThrowsNamingTheArgument()
    {
        var ex = Assert.Throws<ArgumentException>(() => new MosquittoClient("a\0b", true, new IgnoringEvents()));

        Assert.Equal("clientId", ex.ParamName);
    }

    [Fact]
    public void Publish_NeverConnectedQos0_ThrowsWithLibraryText()
    {
        using var client = new MosquittoClient("never-connected", true, new IgnoringEvents());

        var ex = Assert.Throws<MosquittoException>(() => client.Publish("a/b", [1, 2, 3], qos: 0, retain: false));

        Assert.Equal(MosquittoError.NoConnection, ex.Error);
        Assert.Contains(MosquittoLibrary.Describe((int)MosquittoError.NoConnection), ex.Message);
    }

    private sealed class IgnoringEvents : IMosquittoEvents
    {
        public void OnConnect(int reasonCode)
        {
        }

        public void OnDisconnect(int reasonCode)
        {
        }

        public void OnPublish(int mid, int reasonCode)
        {
        }

        public void OnMessage(ReadOnlySpan<byte> topicUtf8, ReadOnlySpan<byte> payload, int qos, bool retain)
        {
        }

        public void OnSubscribe(int mid, ReadOnlySpan<int> grantedQos)
        {
        }

        public void OnCallbackFault(Exception exception) => throw new InvalidOperationException("unexpected callback fault", exception);
    }
}
