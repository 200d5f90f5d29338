namespace EdgeSentry.Operator;

/// <summary>What the incident feed carries, numbered in the order it happened (the SSE id).</summary>
public abstract record FeedEvent(long Seq);
