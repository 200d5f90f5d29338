using System.Text;
using EdgeSentry.Alerts;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Alerts;

public class MqttConnectionSecurityTests
{
    private static readonly Dictionary<string, string> Users = new() { ["edge-7"] = "s3cret-pass" };

    [Fact]
    public async Task ConnectAsync_WrongPassword_ThrowsBrokerRefusalNamingEndpoint()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerSettings { Users = Users });
        var logger = new ListLogger<MqttConnection>();
        var options = new MqttConnectionOptions
        {
            Host = broker.Host, Port = broker.Port, ClientId = "edge-7", Username = "edge-7", Password = "wrong-pass",
        };
        await using var connection = new MqttConnection(options, logger: logger);

        var ex = await Assert.ThrowsAsync<MqttConnectException>(() => connection.ConnectAsync(MqttTestSubscriber.Cap()));

        Assert.Contains($"{broker.Host}:{broker.Port}", ex.Message);
        Assert.Contains("refused the connection", ex.Message);
        Assert.False(connection.IsConnected);
        Assert.Contains(logger.Lines, line => line.Contains(" 4009 ", StringComparison.Ordinal));
        Assert.All([ex.ToString(), options.ToString(), .. logger.Lines], text => Assert.DoesNotContain("wrong-pass", text));
    }

    [Fact]
    public async Task ConnectAsync_RightPassword_ConnectsAndPublishes()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerSettings { Users = Users });
        await using var subscriber = await MqttTestSubscriber.StartAsync(
            broker, configure: o => o with { Username = "edge-7", Password = "s3cret-pass" });
        await using var connection = new MqttConnection(new MqttConnectionOptions
        {
            Host = broker.Host, Port = broker.Port, ClientId = "edge-7", Username = "edge-7", Password = "s3cret-pass",
        });

        await connection.ConnectAsync(MqttTestSubscriber.Cap());
        await connection.PublishAsync("auth/ok", "yes"u8.ToArray(), 1, false, MqttTestSubscriber.Cap());

        Assert.Equal("yes", Encoding.UTF8.GetString((await subscriber.NextAsync(MqttTestSubscriber.Cap())).Payload.Span));
    }

    [Fact]
    public async Task PublishAsync_TlsWithRequiredClientCertificate_DeliveredOverTls()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerSettings { Tls = true, RequireClientCertificate = true });
        TestCertificates certificates = broker.Certificates!;
        var tls = new MqttTlsOptions { CaFile = certificates.CaFile, CertFile = certificates.ClientCertFile, KeyFile = certificates.ClientKeyFile };
        await using var subscriber = await MqttTestSubscriber.StartAsync(broker, configure: o => o with { Tls = tls });
        await using var connection = new MqttConnection(new MqttConnectionOptions
        {
            Host = broker.Host, Port = broker.Port, ClientId = "edge-tls", Tls = tls,
        });

        await connection.ConnectAsync(MqttTestSubscriber.Cap());
        await connection.PublishAsync("tls/ok", "sealed"u8.ToArray(), 1, false, MqttTestSubscriber.Cap());

        Assert.Equal("sealed", Encoding.UTF8.GetString((await subscriber.NextAsync(MqttTestSubscriber.Cap())).Payload.Span));
    }

    [Fact]
    public void Options_TlsFileMissing_ThrowsNamingTheFile()
    {
        var ex = Assert.Throws<ArgumentException>(() => new MqttConnection(new MqttConnectionOptions
        {
            Host = "127.0.0.1", ClientId = "x", Tls = new MqttTlsOptions { CaFile = "/nonexistent/ca.crt" },
        }));

        Assert.Contains("CaFile '/nonexistent/ca.crt' does not exist", ex.Message);
    }
}
