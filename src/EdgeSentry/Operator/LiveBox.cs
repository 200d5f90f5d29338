namespace EdgeSentry.Operator;

/// <summary>A box on a live frame, in the frame's pixels, with the colour it is drawn in ("#rrggbb").</summary>
public sealed record LiveBox(float X1, float Y1, float X2, float Y2, int ClassId, string Label, float Score, int? TrackId, string Color);
