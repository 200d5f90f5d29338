namespace EdgeSentry.Rules;

/// <summary>Receives a camera's incident transitions, synchronously and in order, on the camera's pipeline thread.</summary>
public interface IIncidentSink
{
    void Publish(IncidentEvent incident);
}
