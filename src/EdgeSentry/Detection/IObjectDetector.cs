using EdgeSentry.Capture;

namespace EdgeSentry.Detection;

/// <summary>
/// A loaded model that turns one BGR frame into detections in source-image pixels.
/// Implementations preallocate everything at construction: <see cref="Detect"/> allocates nothing.
/// An instance is not thread-safe; the pipeline gives each inference worker its own.
/// </summary>
public interface IObjectDetector : IDisposable
{
    /// <summary>Label per class id (from the model's labels file).</summary>
    IReadOnlyList<string> Labels { get; }

    /// <summary>Runs the model; writes at most <c>results.Length</c> detections, best first, and returns how many.</summary>
    int Detect(BgrImage image, Span<Detection> results);
}
