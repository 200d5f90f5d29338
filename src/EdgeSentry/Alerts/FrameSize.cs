namespace EdgeSentry.Alerts;

public sealed record FrameSize(int Width, int Height);
