using System.Text.Json;
using EdgeSentry.Alerts;
using EdgeSentry.Capture;
using Microsoft.Extensions.Logging;

namespace EdgeSentry.Pipeline;

/// <summary>
/// Each camera's state as a retained message on its status topic (<see cref="AlertTopics.CameraStatus"/>), published
/// when the state changes.
/// </summary>
public sealed class CameraStatusPublisher
{
    private readonly AlertPublisher _publisher;
    private readonly string _edgeId;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public CameraStatusPublisher(AlertPublisher publisher, string edgeId, TimeProvider timeProvider, ILogger logger)
    {
        _publisher = publisher;
        _edgeId = edgeId;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>Publishes without waiting: a source reports its state from its own loop, which must not block on the broker.</summary>
    public void Publish(string cameraId, CameraState state, string? reason) => _ = PublishAsync(cameraId, state, reason);

    public async Task PublishAsync(string cameraId, CameraState state, string? reason)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(
            new CameraStatusPayload(cameraId, state.ToWire(), reason is null ? null : UrlRedactor.Redact(reason), _time.GetUtcNow().UtcDateTime.ToString("O")) { EdgeId = _edgeId },
            StatusJson.Default.CameraStatusPayload);
        try
        {
            await _publisher.Connection.PublishAsync(AlertTopics.CameraStatus(_edgeId, cameraId), payload, 1, retain: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Retained status is refreshed on the next change; a lost one is not an incident.
            PipelineLog.StatusNotPublished(_logger, cameraId, e.Message);
        }
    }
}
