using EdgeSentry.Alerts;

namespace EdgeSentry.Http;

/// <summary>/readyz: whether the edge does its job now, and why not (cameras by id with their state).</summary>
public sealed record ReadyzPayload(bool Ready, bool BrokerConnected, bool DetectorLoaded, IReadOnlyDictionary<string, string> Cameras, EdgeStatusHealth Health);
