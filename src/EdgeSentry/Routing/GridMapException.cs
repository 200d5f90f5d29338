using System.Text.Json;

namespace EdgeSentry.Routing;

/// <summary>The grid map is invalid; <see cref="Errors"/> lists every problem with its JSON path.</summary>
public sealed class GridMapException : Exception
{
    public GridMapException()
        : this("grid map is invalid", [])
    {
    }

    public GridMapException(string message)
        : this(message, [])
    {
    }

    public GridMapException(string message, Exception innerException)
        : base(message, innerException) => Errors = [message];

    public GridMapException(string source, IReadOnlyList<string> errors)
        : base($"{source}: {errors.Count} error(s):{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors)) => Errors = errors;

    public IReadOnlyList<string> Errors { get; } = [];
}
