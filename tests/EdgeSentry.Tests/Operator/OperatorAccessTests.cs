using System.Net;
using EdgeSentry.Configuration;
using EdgeSentry.Operator;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeSentry.Tests.Operator;

public sealed class OperatorAccessTests
{
    [Theory]
    [InlineData("127.0.0.1:9090", false)]
    [InlineData("127.0.0.2:9090", false)]
    [InlineData("[::1]:9090", false)]
    [InlineData("0.0.0.0:9090", true)]
    [InlineData("192.0.2.10:9090", true)]
    public void Validate_ListenWithoutToken_ErrorOnlyOffLoopback(string listen, bool error)
    {
        var errors = new List<string>();
        OperatorAccess.Validate(new HttpSection { Listen = listen }, errors);
        Assert.Equal(error, errors.Any(e => e.StartsWith("$.http.token:", StringComparison.Ordinal)));
    }

    [Fact]
    public void Validate_ShortLiteralToken_Error()
    {
        var errors = new List<string>();
        OperatorAccess.Validate(new HttpSection { Listen = "0.0.0.0:9090", Token = "short" }, errors);
        Assert.Contains(errors, e => e.Contains("at least 16", StringComparison.Ordinal));
    }

    [Fact]
    public void Create_EnvironmentVariableUnset_ThrowsNamingIt()
    {
        var http = new HttpSection { Listen = "0.0.0.0:9090", TokenEnvironmentVariable = "ES_TEST_UNSET_" + Guid.NewGuid().ToString("N") };
        var e = Assert.Throws<ConfigurationException>(() => OperatorAccess.Create(http, new IPEndPoint(IPAddress.Any, 9090), NullLogger.Instance));
        Assert.Contains(http.TokenEnvironmentVariable, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_OnlyTheExactToken()
    {
        var access = OperatorAccess.Create(new HttpSection { Token = "0123456789abcdef!" }, new IPEndPoint(IPAddress.Any, 9090), NullLogger.Instance);
        Assert.True(access.RequiresToken);
        Assert.True(access.Accepts("0123456789abcdef!"));
        Assert.False(access.Accepts("0123456789abcdef"));
        Assert.False(access.Accepts(null));
        Assert.False(access.Accepts(""));
    }

    [Fact]
    public void Create_LoopbackWithoutToken_OpenAndSaysSo()
    {
        var access = OperatorAccess.Create(new HttpSection(), new IPEndPoint(IPAddress.Loopback, 9090), NullLogger.Instance);
        Assert.False(access.RequiresToken);
        Assert.True(access.Accepts(null));
        Assert.Contains("loopback only", access.Description, StringComparison.Ordinal);
    }
}
