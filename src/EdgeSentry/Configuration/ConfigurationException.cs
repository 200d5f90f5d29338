namespace EdgeSentry.Configuration;

/// <summary>The configuration is unusable; <see cref="Errors"/> lists every problem found, each with its path.</summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(string source, IReadOnlyList<string> errors)
        : base($"{source}: {errors.Count} configuration error(s):{Environment.NewLine}  - " + string.Join(Environment.NewLine + "  - ", errors))
    {
        Source = source;
        Errors = errors;
    }

    public ConfigurationException()
    {
        Errors = [];
    }

    public ConfigurationException(string message)
        : base(message)
    {
        Errors = [message];
    }

    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    public IReadOnlyList<string> Errors { get; }
}
