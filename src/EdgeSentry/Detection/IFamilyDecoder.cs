namespace EdgeSentry.Detection;

/// <summary>
/// One model family's output contract: checks at start-up that the session's outputs fit the family,
/// binds preallocated output tensors (and any extra inputs), and turns one run's outputs into detections.
/// </summary>
internal interface IFamilyDecoder : IDisposable
{
    /// <summary>Called after preprocessing, before the run: family-specific per-frame inputs.</summary>
    void BeforeRun(in InputGeometry geometry);

    /// <summary>Writes up to <c>results.Length</c> detections in source pixels, best first; returns how many.</summary>
    int Decode(in InputGeometry geometry, Span<Detection> results);
}
