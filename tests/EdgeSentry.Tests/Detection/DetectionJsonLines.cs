using System.Text;
using System.Text.Json;
using EdgeSentry.Detection;

namespace EdgeSentry.Tests.Detection;

using Detection = EdgeSentry.Detection.Detection;

/// <summary>Writes one frame in the `detect --json` contract, the input compare_golden.py reads.</summary>
public static class DetectionJsonLines
{
    public static string Frame(int frame, double ptsSeconds, IReadOnlyList<Detection> detections, IReadOnlyList<string> labels)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("frame", frame);
            w.WriteNumber("ptsSeconds", ptsSeconds);
            w.WriteStartArray("detections");
            foreach (var d in detections)
            {
                w.WriteStartObject();
                w.WriteString("label", labels[d.ClassId]);
                w.WriteNumber("classId", d.ClassId);
                w.WriteNumber("score", Math.Round(d.Score, 4));
                w.WriteStartArray("box");
                w.WriteNumberValue(Math.Round(d.Box.X1, 1));
                w.WriteNumberValue(Math.Round(d.Box.Y1, 1));
                w.WriteNumberValue(Math.Round(d.Box.X2, 1));
                w.WriteNumberValue(Math.Round(d.Box.Y2, 1));
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
