namespace EdgeSentry.Benchmarking;

/// <summary>All clips decoded in parallel to nothing (no detection): the decoders' combined ceiling.</summary>
/// <param name="CpuMsPerFrame">CPU of the decoders and the readers per frame (0 where /proc is missing).</param>
public sealed record DecodeOnlyResult(IReadOnlyList<ClipFrames> Clips, long Frames, double Seconds, double FramesPerSecond, double CpuMsPerFrame);
