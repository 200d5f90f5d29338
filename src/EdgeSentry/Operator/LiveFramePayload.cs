namespace EdgeSentry.Operator;

/// <summary>The latest drawn frame (JPEG, base64) with what is drawn on it.</summary>
public sealed record LiveFramePayload(
    string CameraId, long Sequence, int Width, int Height, string CapturedAt, double AgeMs, IReadOnlyList<LiveBox> Boxes, string Jpeg);
