namespace EdgeSentry.Operator;

/// <summary>The answer to a save: saved (and where the backup went) or the errors, nothing written.</summary>
public sealed record EditResult(bool Saved, string? Backup, IReadOnlyList<EditError> Errors);
