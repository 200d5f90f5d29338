using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using EdgeSentry.Configuration;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Http;

public class HttpListenTests
{
    [Theory]
    [InlineData("127.0.0.1:9090", "127.0.0.1", 9090)]
    [InlineData("0.0.0.0:80", "0.0.0.0", 80)]
    [InlineData("[::1]:9090", "::1", 9090)]
    [InlineData("localhost:0", "127.0.0.1", 0)]
    public void TryParseListen_ValidAddress_GivesEndpoint(string listen, string address, int port)
    {
        Assert.True(HttpSection.TryParseListen(listen, out var endpoint));
        Assert.Equal(IPAddress.Parse(address), endpoint.Address);
        Assert.Equal(port, endpoint.Port);
    }

    [Theory]
    [InlineData("")]
    [InlineData("9090")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:-1")]
    [InlineData("edge.example:9090")]
    [InlineData("::1:9090")]
    public void TryParseListen_InvalidAddress_IsRejected(string listen) =>
        Assert.False(HttpSection.TryParseListen(listen, out _));

    [Fact]
    public async Task ConfigCheck_InvalidListen_ReportsThePath()
    {
        string config = await WriteConfigAsync("127.0.0.1:banana");

        var result = await CliProcess.RunEdgeSentryAsync("config", "check", config);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("$.http.listen: '127.0.0.1:banana' must be address:port", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ListenPortInUse_ExitsWithAClearStartupError()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        int port = ((IPEndPoint)holder.LocalEndpoint).Port;
        string config = await WriteConfigAsync($"127.0.0.1:{port}");

        var result = await CliProcess.RunEdgeSentryAsync("run", "--config", config);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"http.listen 127.0.0.1:{port}: the address is already in use", result.Stderr, StringComparison.Ordinal);
    }

    private static async Task<string> WriteConfigAsync(string listen)
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("edgesentry-http-").FullName, "edgesentry.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(new
        {
            edgeId = "edge-http",
            detector = new { model = SharedPaths.Model("yolox_nano.onnx") },
            http = new { listen },
            cameras = new[] { new { id = "cam-1", url = "rtsp://127.0.0.1:1/none" } },
        }));
        return path;
    }
}
