using System.CommandLine;

namespace EdgeSentry.Cli;

/// <summary>
/// <c>edgesentry health [--url URL]</c>: asks a running edge's /healthz and exits 0 when it answers 200.
/// The container's HEALTHCHECK uses it, because the runtime image has no curl.
/// </summary>
internal static class HealthCommand
{
    public const string DefaultUrl = "http://127.0.0.1:9090/healthz";

    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "The endpoint to ask.", DefaultValueFactory = _ => DefaultUrl };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for the answer.", DefaultValueFactory = _ => 5 };
        var health = new Command("health", "Ask a running edge whether it is alive (exit 0 on HTTP 200, 1 otherwise).") { url, timeout };
        health.SetAction(async (parse, ct) =>
        {
            string target = parse.GetValue(url)!;
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)) };
            try
            {
                using var response = await http.GetAsync(new Uri(target), ct);
                string body = await response.Content.ReadAsStringAsync(ct);
                Console.Out.WriteLine($"{(int)response.StatusCode} {body}");
                return response.IsSuccessStatusCode ? 0 : 1;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or UriFormatException)
            {
                Console.Error.WriteLine($"edgesentry health: {target}: {e.Message}");
                return 1;
            }
        });
        return health;
    }
}
