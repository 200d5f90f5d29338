namespace EdgeSentry.Operator;

/// <summary>A drawn frame for the live view: immutable once published, replaced as a whole.</summary>
public sealed record LiveFrame(long Sequence, int Width, int Height, DateTimeOffset CapturedAt, long CapturedTimestamp, IReadOnlyList<LiveBox> Boxes, byte[] Jpeg);
