using System.Text.RegularExpressions;

namespace EdgeSentry.Capture;

/// <summary>
/// Camera URLs carry credentials (rtsp://user:password@host/...). Everything that may be printed,
/// logged, published or thrown goes through here first.
/// </summary>
public static partial class UrlRedactor
{
    public const string Mask = "***";

    /// <summary>Redacts the password (and any query token) of every URL found in <paramref name="text"/>.</summary>
    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        var s = UserInfo().Replace(text, m => m.Groups["scheme"].Value + m.Groups["user"].Value + ":" + Mask + "@");
        return SecretQuery().Replace(s, m => m.Groups["key"].Value + "=" + Mask);
    }

    // scheme://user:password@ — greedy to the last '@' before the path, since passwords may contain '@'.
    [GeneratedRegex(@"(?<scheme>[a-zA-Z][a-zA-Z0-9+.\-]*://)(?<user>[^:@/\s]*):(?<pass>[^/\s]*)@", RegexOptions.CultureInvariant)]
    private static partial Regex UserInfo();

    [GeneratedRegex(@"(?<key>(?:password|passwd|pwd|token|auth|secret|key))=[^&\s]*", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SecretQuery();
}
