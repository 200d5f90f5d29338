using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;

namespace EdgeSentry.Alerts;

/// <summary>
/// Makes an alert that is too large for the broker fit: first the snapshot is decoded, scaled down and encoded
/// again at a lower quality (OpenCV); if that is not enough, an incident alert leaves the snapshot out and says so
/// in <c>snapshotOmitted</c> (contract incident.v3). Without OpenCvSharpExtern the first step is skipped.
/// </summary>
public sealed class AlertShrinker
{
    public const string Reencoded = "reencoded";
    public const string Omitted = "omitted";

    private const string IncidentSchema = IncidentPayload.SchemaName;
    // Re-encoding below this width leaves nothing a person could recognise: omit instead.
    private const int MinWidth = 96;
    private static readonly int[] Qualities = [70, 50, 35];

    private readonly ILogger _logger;
    private int _openCvUnavailable;

    public AlertShrinker(ILogger<AlertShrinker>? logger = null) => _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>
    /// A payload of at most <paramref name="maxPayloadBytes"/> carrying the same alert, and how it was made to fit;
    /// null when it cannot be (no snapshot to shrink, or still too large without it).
    /// </summary>
    public (byte[] Payload, string Outcome)? Fit(byte[] payload, long maxPayloadBytes)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (payload.Length <= maxPayloadBytes)
        {
            return (payload, "unchanged");
        }

        if (JsonNode.Parse(payload) is not JsonObject root
            || root["snapshot"] is not JsonObject snapshot
            || snapshot["data"]?.GetValue<string>() is not { } data)
        {
            return null;
        }

        byte[] jpeg = Convert.FromBase64String(data);
        if (Volatile.Read(ref _openCvUnavailable) == 0 && Reencode(root, snapshot, jpeg, payload.Length - data.Length, maxPayloadBytes) is { } smaller)
        {
            return (smaller, Reencoded);
        }

        if (!string.Equals(root["schema"]?.GetValue<string>(), IncidentSchema, StringComparison.Ordinal))
        {
            // Only the incident contract (v3) can say that its snapshot was left out.
            return null;
        }

        root.Remove("snapshot");
        root["snapshotOmitted"] = new JsonObject { ["reason"] = "too-large", ["bytes"] = jpeg.Length };
        byte[] without = Encoding.UTF8.GetBytes(root.ToJsonString());
        return without.Length <= maxPayloadBytes ? (without, Omitted) : null;
    }

    private byte[]? Reencode(JsonObject root, JsonObject snapshot, byte[] jpeg, long restBytes, long maxPayloadBytes)
    {
        // Base64 grows the JPEG by 4/3; what is left of the budget after the rest of the alert is the JPEG's share.
        long jpegBudget = (maxPayloadBytes - restBytes - 16) * 3 / 4;
        if (jpegBudget < 1024)
        {
            return null;
        }

        try
        {
            using Mat decoded = Cv2.ImDecode(jpeg, ImreadModes.Color);
            if (decoded.Empty())
            {
                return null;
            }

            // Bytes scale roughly with the pixel count, so the side scales with the square root of the ratio.
            double scale = Math.Min(0.9, Math.Sqrt((double)jpegBudget / jpeg.Length));
            for (int attempt = 0; attempt < 6; attempt++, scale *= 0.75)
            {
                int width = (int)(decoded.Width * scale);
                int height = (int)(decoded.Height * scale);
                if (width < MinWidth || height < 1)
                {
                    return null;
                }

                using var resized = new Mat();
                Cv2.Resize(decoded, resized, new Size(width, height), 0, 0, InterpolationFlags.Area);
                foreach (int quality in Qualities)
                {
                    Cv2.ImEncode(".jpg", resized, out byte[] encoded, new ImageEncodingParam(ImwriteFlags.JpegQuality, quality));
                    if (encoded.Length > jpegBudget)
                    {
                        continue;
                    }

                    snapshot["width"] = width;
                    snapshot["height"] = height;
                    snapshot["data"] = Convert.ToBase64String(encoded);
                    byte[] candidate = Encoding.UTF8.GetBytes(root.ToJsonString());
                    if (candidate.Length <= maxPayloadBytes)
                    {
                        return candidate;
                    }
                }
            }

            return null;
        }
        catch (Exception ex) when (ex is TypeInitializationException or DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            if (Interlocked.Exchange(ref _openCvUnavailable, 1) == 0)
            {
                AlertsLog.ShrinkUnavailable(_logger, ex.InnerException?.Message ?? ex.Message);
            }

            return null;
        }
        catch (OpenCVException)
        {
            // A snapshot OpenCV cannot decode is left out like one that does not fit.
            return null;
        }
    }
}
