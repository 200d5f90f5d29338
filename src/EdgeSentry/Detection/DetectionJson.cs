using System.Text.Json;

namespace EdgeSentry.Detection;

/// <summary>
/// The `detect --json` line contract (DESIGN.md §5), read by shared/tools/compare_golden.py:
/// <c>{"frame":N,"ptsSeconds":S,"detections":[{"label","classId","score","box":[x1,y1,x2,y2]}]}</c>, boxes in
/// source-image pixels. Written through a caller-owned writer so a stream of frames reuses one buffer.
/// </summary>
public static class DetectionJson
{
    public static void WriteFrame(Utf8JsonWriter w, long frame, double ptsSeconds, ReadOnlySpan<Detection> detections, IReadOnlyList<string> labels)
    {
        w.WriteStartObject();
        w.WriteNumber("frame", frame);
        w.WriteNumber("ptsSeconds", Math.Round(ptsSeconds, 6));
        w.WriteStartArray("detections");
        foreach (var d in detections)
        {
            w.WriteStartObject();
            w.WriteString("label", labels[d.ClassId]);
            w.WriteNumber("classId", d.ClassId);
            w.WriteNumber("score", Math.Round(d.Score, 4));
            w.WriteStartArray("box");
            w.WriteNumberValue(Math.Round(d.Box.X1, 2));
            w.WriteNumberValue(Math.Round(d.Box.Y1, 2));
            w.WriteNumberValue(Math.Round(d.Box.X2, 2));
            w.WriteNumberValue(Math.Round(d.Box.Y2, 2));
            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
    }
}
