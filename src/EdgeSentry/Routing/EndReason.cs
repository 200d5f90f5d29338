namespace EdgeSentry.Routing;

/// <summary>Why the loop considers an incident's condition over. Wire names in <see cref="LoopWire"/>.</summary>
public enum EndReason
{
    /// <summary>The rules ended it: the condition is over.</summary>
    ConditionOver,
    /// <summary>The edge process stopped while it was open; the rules that followed it are gone.</summary>
    EdgeRestarted,
}
