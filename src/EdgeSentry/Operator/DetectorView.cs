namespace EdgeSentry.Operator;

/// <summary>The detector view of a camera: the window, the detector's own cut-off and the classes seen.</summary>
public sealed record DetectorView(string CameraId, int WindowMinutes, double DetectorThreshold, int HistogramBins, string SuggestionRule, IReadOnlyList<DetectorClassView> Classes);
