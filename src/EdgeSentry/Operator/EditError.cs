namespace EdgeSentry.Operator;

/// <summary>A validation error where the page can put it: the JSON path and the message.</summary>
public sealed record EditError(string Path, string Message);
