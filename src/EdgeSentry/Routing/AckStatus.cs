using System.Text.Json;

namespace EdgeSentry.Routing;

/// <summary>accepted, on-site or resolved.</summary>
public enum AckStatus
{
    Accepted = 1,
    OnSite = 2,
    Resolved = 3,
}
