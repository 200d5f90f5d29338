namespace EdgeSentry.Native.Mosquitto;

/// <summary>A libmosquitto call failed; the message carries libmosquitto's own text (and errno's, where it applies).</summary>
public sealed class MosquittoException : Exception
{
    public MosquittoException()
    {
    }

    public MosquittoException(string message)
        : base(message)
    {
    }

    public MosquittoException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MosquittoException(string operation, int code, int errno = 0)
        : base($"{operation} failed: {MosquittoLibrary.Describe(code, errno)} (mosquitto error {code})")
    {
        Code = code;
    }

    public int Code { get; }

    public MosquittoError Error => (MosquittoError)Code;
}
