namespace EdgeSentry.Alerts;

/// <summary>TLS files (PEM). The key must not be encrypted: there is no password prompt on an edge box.</summary>
public sealed record MqttTlsOptions
{
    public string? CaFile { get; init; }
    public string? CaPath { get; init; }
    public string? CertFile { get; init; }
    public string? KeyFile { get; init; }

    internal IEnumerable<string> Validate()
    {
        if (CaFile is null && CaPath is null)
        {
            yield return "Tls needs CaFile or CaPath";
        }

        if ((CertFile is null) != (KeyFile is null))
        {
            yield return "Tls CertFile and KeyFile go together";
        }

        foreach ((string name, string? file) in new[] { ("CaFile", CaFile), ("CertFile", CertFile), ("KeyFile", KeyFile) })
        {
            if (file is not null && !File.Exists(file))
            {
                yield return $"Tls {name} '{file}' does not exist";
            }
        }

        if (CaPath is not null && !Directory.Exists(CaPath))
        {
            yield return $"Tls CaPath '{CaPath}' does not exist";
        }
    }
}
