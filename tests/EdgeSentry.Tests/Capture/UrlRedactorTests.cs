using EdgeSentry.Capture;

namespace EdgeSentry.Tests.Capture;

public class UrlRedactorTests
{
    [Theory]
    [InlineData("rtsp://admin:s3cret@10.0.0.5:554/stream1", "rtsp://admin:***@10.0.0.5:554/stream1")]
    [InlineData("Camera gate: rtsp://u:p@ss:w0rd@host/x failed", "Camera gate: rtsp://u:***@host/x failed")]
    [InlineData("rtsp://10.0.0.5/stream?user=a&password=s3cret", "rtsp://10.0.0.5/stream?user=a&password=***")]
    [InlineData("/videos/clip.mp4", "/videos/clip.mp4")]
    public void Redact_TextWithCredentials_HidesOnlyTheSecret(string input, string expected)
    {
        Assert.Equal(expected, UrlRedactor.Redact(input));
    }

    [Fact]
    public void Redact_FfmpegErrorLine_NeverContainsPassword()
    {
        const string line = "[tcp @ 0x55] Connection to tcp://cam:s3cret@127.0.0.1:9 failed: Connection refused rtsp://cam:s3cret@127.0.0.1:9/live";
        Assert.DoesNotContain("s3cret", UrlRedactor.Redact(line), StringComparison.Ordinal);
    }
}
