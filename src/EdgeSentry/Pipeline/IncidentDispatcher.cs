using EdgeSentry.Alerts;
using EdgeSentry.Routing;
using EdgeSentry.Rules;

namespace EdgeSentry.Pipeline;

/// <summary>
/// Where every incident transition goes after the rules: into the outbox store, the only way to the broker.
/// Routing is an optional policy inside it: with a router, the camera alert is stored together with the unit's
/// dispatch and the loop state; without, the camera alert alone.
/// </summary>
public sealed class IncidentDispatcher
{
    private readonly IncidentMessageBuilder _builder;
    private readonly AlertOutbox _outbox;
    private readonly IncidentRouter? _router;

    public IncidentDispatcher(IncidentMessageBuilder builder, AlertOutbox outbox, IncidentRouter? router = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(outbox);
        _builder = builder;
        _outbox = outbox;
        _router = router;
    }

    /// <summary>Commits the transition's messages (durable once this completes) and returns them in send order.</summary>
    public async Task<IReadOnlyList<OutgoingMessage>> DispatchAsync(IncidentEvent incident, IncidentSnapshot? snapshot = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(incident);
        if (_router is not null)
        {
            return await _router.RouteAsync(incident, snapshot, cancellationToken);
        }

        OutgoingMessage message = _builder.Build(incident, snapshot);
        await _outbox.EnqueueAsync(message, cancellationToken);
        return [message];
    }
}
