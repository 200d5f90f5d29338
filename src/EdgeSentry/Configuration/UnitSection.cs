using EdgeSentry.Capture;
using EdgeSentry.Rules;

namespace EdgeSentry.Configuration;

public sealed class UnitSection
{
    public string Id { get; set; } = string.Empty;
    public string? Name { get; set; }
    /// <summary>The unit's home cell: it gets the incidents of cameras in this cell first.</summary>
    public string GridId { get; set; } = string.Empty;
    /// <summary>A fixed post, used while the unit's live status carries no position.</summary>
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
}
