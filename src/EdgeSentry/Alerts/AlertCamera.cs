using System.Text.Json;
using EdgeSentry.Rules;

namespace EdgeSentry.Alerts;

/// <summary>What the alert path knows about a camera beyond its id: the name shown to people and its grid cell.</summary>
public sealed record AlertCamera(string Id, string Name, string GridId);
