using System.Globalization;
using System.Text.Json;
using EdgeSentry.Demo;

namespace EdgeSentry.Tests.Http;

/// <summary>A real Prometheus (Debian package <c>prometheus</c>) scraping one target on loopback every second.</summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    public const string Executable = "/usr/bin/prometheus";
    private readonly LocalPeer _peer;
    private readonly DirectoryInfo _directory;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private PrometheusServer(LocalPeer peer, DirectoryInfo directory)
    {
        _peer = peer;
        _directory = directory;
    }

    public static async Task<PrometheusServer> StartAsync(Uri target)
    {
        var dir = Directory.CreateTempSubdirectory("edgesentry-prometheus-");
        string config = Path.Combine(dir.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: edgesentry
                metrics_path: {target.AbsolutePath}
                static_configs:
                  - targets: ["{target.Authority}"]
            """));
        int port = LocalPeer.FreePort();
        var peer = await LocalPeer.StartAsync(
            "prometheus", Executable,
            [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(dir.FullName, "data")}", $"--web.listen-address=127.0.0.1:{port}"],
            port, "Install it: sudo apt-get install -y prometheus (scripts/install-prereqs.sh does).", TimeSpan.FromSeconds(60));
        return new PrometheusServer(peer, dir);
    }

    /// <summary>An instant query through the HTTP API; returns data.result (empty while the TSDB is still starting: 503).</summary>
    public async Task<JsonElement> QueryAsync(string promql)
    {
        var url = new Uri($"http://127.0.0.1:{_peer.Port}/api/v1/query?query={Uri.EscapeDataString(promql)}");
        using var response = await _http.GetAsync(url);
        if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
        {
            using var empty = JsonDocument.Parse("[]");
            return empty.RootElement.Clone();
        }

        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("success", doc.RootElement.GetProperty("status").GetString());
        return doc.RootElement.GetProperty("data").GetProperty("result").Clone();
    }

    /// <summary>The scrape target's health as Prometheus sees it ("up" once a scrape succeeded), with its last error.</summary>
    public async Task<string> TargetsAsync() =>
        await _http.GetStringAsync(new Uri($"http://127.0.0.1:{_peer.Port}/api/v1/targets"));

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _peer.DisposeAsync();
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Left in /tmp: harmless.
        }
    }
}
