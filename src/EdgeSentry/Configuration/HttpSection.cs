using System.Globalization;
using System.Net;

namespace EdgeSentry.Configuration;

/// <summary>The HTTP endpoints (/healthz, /readyz, /metrics) and the operator's page.</summary>
public sealed class HttpSection
{
    /// <summary>"address:port" to listen on; loopback by default, so nothing is exposed unless asked for. Port 0: any free port.</summary>
    public string Listen { get; set; } = "127.0.0.1:9090";

    /// <summary>
    /// Bearer token every request must carry (only /healthz stays open). Required when <see cref="Listen"/> is not
    /// loopback; optional on loopback. Prefer <see cref="TokenEnvironmentVariable"/>; a token here is never logged.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>Name of the environment variable that holds the token (wins over <see cref="Token"/>).</summary>
    public string? TokenEnvironmentVariable { get; set; }

    /// <summary>Parses <paramref name="listen"/> ("127.0.0.1:9090", "[::1]:9090", "0.0.0.0:9090", "localhost:9090").</summary>
    public static bool TryParseListen(string? listen, out IPEndPoint endpoint)
    {
        endpoint = new IPEndPoint(IPAddress.Loopback, 0);
        int colon = listen?.LastIndexOf(':') ?? -1;
        if (listen is null || colon <= 0 || colon == listen.Length - 1)
        {
            return false;
        }

        string host = listen[..colon];
        if (!int.TryParse(listen.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > IPEndPoint.MaxPort)
        {
            return false;
        }

        IPAddress? address;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (host.StartsWith('[') && host.EndsWith(']'))
        {
            if (!IPAddress.TryParse(host[1..^1], out address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                return false;
            }
        }
        else if (!IPAddress.TryParse(host, out address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }
}
