using System.Net;
using System.Security.Cryptography;
using System.Text;
using EdgeSentry.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Operator;

/// <summary>
/// Who may talk to the HTTP host. On loopback (the default) anyone on the box may, unless a token is configured.
/// Bound to any other address a token is mandatory (start-up fails without one) and every request must carry it
/// (Authorization: Bearer, or the cookie a <c>?token=</c> login sets) except <c>/healthz</c>, which stays open for
/// the container HEALTHCHECK and says nothing but "alive" and the health word. /metrics needs the token too
/// (Prometheus: <c>authorization: { credentials: ... }</c>).
/// </summary>
public sealed class OperatorAccess
{
    public const string CookieName = "edgesentry_token";
    public const int MinimumTokenLength = 16;

    // A hash of the token, so the comparison runs over equal lengths in constant time.
    private readonly byte[]? _tokenHash;
    private readonly ILogger _logger;

    private OperatorAccess(byte[]? tokenHash, bool loopback, ILogger logger)
    {
        _tokenHash = tokenHash;
        IsLoopback = loopback;
        _logger = logger;
    }

    public bool RequiresToken => _tokenHash is not null;

    public bool IsLoopback { get; }

    /// <summary>What the start-up log says about access (never the token).</summary>
    public string Description => RequiresToken
        ? "a token is required on every request except /healthz (Authorization: Bearer, or log in once with /?token=...)"
        : "loopback only, no token";

    /// <summary>
    /// The checks <c>config check</c> makes (through <see cref="ConfigValidator"/>): a non-loopback address names a
    /// token, and a literal token is long enough. Whether the environment variable is set is checked at start.
    /// </summary>
    public static void Validate(HttpSection http, List<string> errors)
    {
        if (http.Token is { } literal && literal.Length < MinimumTokenLength)
        {
            errors.Add($"$.http.token: the token must have at least {MinimumTokenLength} characters");
        }

        if (HttpSection.TryParseListen(http.Listen, out var listen) && !IPAddress.IsLoopback(listen.Address)
            && string.IsNullOrEmpty(http.Token) && string.IsNullOrEmpty(http.TokenEnvironmentVariable))
        {
            errors.Add($"$.http.token: http.listen {http.Listen} is not a loopback address, so the HTTP host needs a token (http.token or http.tokenEnvironmentVariable, at least {MinimumTokenLength} characters)");
        }
    }

    /// <summary>Resolves the token; throws a configuration error for a non-loopback address without a usable one.</summary>
    public static OperatorAccess Create(HttpSection http, IPEndPoint listen, ILogger logger)
    {
        string? env = http.TokenEnvironmentVariable is { Length: > 0 } e ? e : null;
        string? token = env is not null ? Environment.GetEnvironmentVariable(env) : http.Token;
        bool loopback = IPAddress.IsLoopback(listen.Address);
        string where = env is not null ? $"$.http.tokenEnvironmentVariable: the environment variable {env}" : "$.http.token";
        if (string.IsNullOrEmpty(token))
        {
            if (!loopback || env is not null)
            {
                throw new ConfigurationException("http", [$"{where} is empty or unset, and http.listen {listen} needs a token (at least {MinimumTokenLength} characters)"]);
            }

            return new OperatorAccess(null, loopback, logger);
        }

        if (token.Length < MinimumTokenLength)
        {
            throw new ConfigurationException("http", [$"{where}: the token must have at least {MinimumTokenLength} characters"]);
        }

        return new OperatorAccess(SHA256.HashData(Encoding.UTF8.GetBytes(token)), loopback, logger);
    }

    public bool Accepts(string? candidate) =>
        _tokenHash is null || (candidate is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(_tokenHash, SHA256.HashData(Encoding.UTF8.GetBytes(candidate))));

    /// <summary>The middleware: lets a request through, turns a <c>?token=</c> login into a cookie, or answers 401.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var response = context.Response;
        // Every answer of the host: never sniffed, never framed by another site.
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "no-referrer";
        // The page runs only its own script and never inline code: a name that slipped into markup still could not run.
        response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

        if (!RequiresToken || request.Path.Equals("/healthz", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        string? bearer = null;
        string auth = request.Headers.Authorization.ToString();
        if (auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            bearer = auth["Bearer ".Length..].Trim();
        }

        if (Accepts(bearer) || Accepts(request.Cookies[CookieName]))
        {
            // The cookie is SameSite=Strict; an Origin from elsewhere on a write is refused all the same.
            if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && bearer is null && !SameOrigin(request))
            {
                response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }

            await next(context);
            return;
        }

        if (HttpMethods.IsGet(request.Method) && request.Query.TryGetValue("token", out var given) && Accepts(given.ToString()))
        {
            // Login: the token goes into an HttpOnly cookie and out of the address bar (and the history) at once.
            response.Cookies.Append(CookieName, given.ToString(), new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = request.IsHttps,
                Path = "/",
            });
            response.StatusCode = StatusCodes.Status303SeeOther;
            response.Headers.Location = (request.PathBase + request.Path).ToString();
            return;
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            string path = request.Path.Value ?? "/";
            string remote = context.Connection.RemoteIpAddress?.ToString() ?? "?";
            OperatorLog.Refused(_logger, request.Method, path, remote);
        }
        response.StatusCode = StatusCodes.Status401Unauthorized;
        response.Headers.WWWAuthenticate = "Bearer realm=\"edgesentry\"";
        response.ContentType = "text/plain; charset=utf-8";
        await response.WriteAsync("401: this EdgeSentry needs its token: Authorization: Bearer <token>, or open /?token=<token> once in a browser.\n", context.RequestAborted);
    }

    private static bool SameOrigin(HttpRequest request)
    {
        string origin = request.Headers.Origin.ToString();
        return origin.Length == 0 || (Uri.TryCreate(origin, UriKind.Absolute, out var o) && string.Equals(o.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }
}
