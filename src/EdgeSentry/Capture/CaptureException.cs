namespace EdgeSentry.Capture;

/// <summary>A camera source could not be opened or read. Messages never contain credentials.</summary>
public sealed class CaptureException : Exception
{
    public CaptureException(string message)
        : base(message)
    {
    }

    public CaptureException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public CaptureException()
    {
    }
}
