namespace EdgeSentry.Benchmarking;

public sealed record ClipFrames(string Clip, int Width, int Height, long Frames);
