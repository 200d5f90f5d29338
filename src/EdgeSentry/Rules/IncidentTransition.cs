using EdgeSentry.Detection;

namespace EdgeSentry.Rules;

public enum IncidentTransition
{
    Started,
    Updated,
    Ended,
}
