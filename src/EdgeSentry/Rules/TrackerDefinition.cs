using System.Globalization;
using System.Text.Json.Serialization;

namespace EdgeSentry.Rules;

/// <summary>Tracker tuning for one camera. Times in seconds of stream time.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class TrackerDefinition
{
    /// <summary>Detections at or above this score take part in the first association and may start tracks.</summary>
    /// <remarks>The three score levels default to the model's measured track-birth levels (its manifest), else ByteTrack's 0.5 / 0.1 / 0.6.</remarks>
    public double? HighScore { get; set; }
    /// <summary>Detections between this and <see cref="HighScore"/> only keep existing tracks alive (second association).</summary>
    public double? LowScore { get; set; }
    /// <summary>A new track needs a detection at least this confident.</summary>
    public double? NewTrackScore { get; set; }
    /// <summary>Minimum IoU with the predicted box for the first association.</summary>
    public double MatchIou { get; set; } = 0.2;
    /// <summary>Matches needed before a tentative track is confirmed and reaches the rules.</summary>
    public int MinHits { get; set; } = 3;
    /// <summary>A track unmatched for this long is dropped.</summary>
    public double LostSeconds { get; set; } = 1.5;
    /// <summary>Bound on live tracks per camera; extra objects are not tracked (and counted).</summary>
    public int MaxTracks { get; set; } = 128;

    public void Validate(string path, List<string> errors)
    {
        DefinitionChecks.Range(HighScore ?? 0, 0, 1, $"{path}.highScore", errors);
        DefinitionChecks.Range(LowScore ?? 0, 0, 1, $"{path}.lowScore", errors);
        DefinitionChecks.Range(NewTrackScore ?? 0, 0, 1, $"{path}.newTrackScore", errors);
        DefinitionChecks.Range(MatchIou, 0.01, 1, $"{path}.matchIou", errors);
        if (LowScore is { } low && HighScore is { } high && low > high)
        {
            errors.Add($"{path}.lowScore: {Fmt(low)} is above highScore {Fmt(high)}");
        }

        if (MinHits is < 1 or > 30)
        {
            errors.Add($"{path}.minHits: {MinHits} is outside [1, 30]");
        }

        DefinitionChecks.Range(LostSeconds, 0.05, 60, $"{path}.lostSeconds", errors);
        if (MaxTracks is < 1 or > 4096)
        {
            errors.Add($"{path}.maxTracks: {MaxTracks} is outside [1, 4096]");
        }
    }

    private static string Fmt(double v) => v.ToString(CultureInfo.InvariantCulture);
}
