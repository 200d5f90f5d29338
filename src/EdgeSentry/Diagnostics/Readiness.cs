namespace EdgeSentry.Diagnostics;

/// <summary>
/// What /readyz answers: ready when start-up completed, the detector is loaded, the broker is connected and at
/// least one camera is online (or none is configured). Health may be degraded while ready (one camera of
/// three reconnecting); it is never ok while not ready.
/// </summary>
public sealed record Readiness(bool Ready, bool BrokerConnected, bool DetectorLoaded, IReadOnlyDictionary<string, string> Cameras, EdgeHealthReport Health);
