namespace EdgeSentry.Planning;

/// <summary>
/// CPU per detection for one model and session layout (K sessions x T intra-op threads), taken from a bench report.
/// </summary>
/// <param name="CpuMsPerDetection">
/// In-process CPU per frame end to end (pipe read, resize into the tensor, the run, decoding the outputs): the
/// bench's end-to-end CPU per frame minus its decoders' share. Falls back to the session-only CPU where the
/// report has no end-to-end CPU (no /proc).
/// </param>
/// <param name="SessionOnlyCpuMs">The session run alone, for reference.</param>
public sealed record InferenceCost(string Model, string Layout, int Workers, int Threads, double CpuMsPerDetection, double SessionOnlyCpuMs)
{
    /// <summary>Cores the layout can use for inference at most: a session never runs on more than its T threads.</summary>
    public int MaxInferenceCores => Workers * Threads;
}
