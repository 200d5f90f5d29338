using EdgeSentry.Capture;
using EdgeSentry.Rules;

namespace EdgeSentry.Pipeline;

/// <summary>Receives a camera's incident transitions, in order, while the frame that caused them is still readable.</summary>
public interface IIncidentHandler
{
    /// <summary>
    /// Must not lose the incident: it returns once the transition is safely queued (the alert path is
    /// lossless). <paramref name="frame"/> is valid only during the call (for the snapshot).
    /// </summary>
    ValueTask HandleAsync(IncidentEvent incident, Frame? frame, CancellationToken cancellationToken);
}
