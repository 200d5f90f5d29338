namespace EdgeSentry.Planning;

/// <summary>
/// What K cameras should do on this box with no headroom: the cores they keep busy (decoders + service) and the
/// detections per second the box sustains (all K x rate when they fit, otherwise what the remaining CPU allows).
/// </summary>
public sealed record CameraPrediction(int Cameras, double Cores, double CpuFraction, double DetectionsPerSecond, bool Saturated);
