using System.Text;
using System.Text.Json;
using EdgeSentry.Detection;
using EdgeSentry.Tracking;

namespace EdgeSentry.Tests.Peers;

/// <summary>
/// The <c>edgesentry detect --json</c> contract (one object per frame:
/// <c>{"frame":N,"ptsSeconds":S,"detections":[{"label":"person","classId":0,"score":0.81,"box":[x1,y1,x2,y2]}]}</c>):
/// written for compare_golden.py, read back into recorded frames for tracker and rule replays.
/// </summary>
public static class DetectionJsonLines
{
    public static List<RecordedFrame> Read(TextReader reader, string source)
    {
        var frames = new List<RecordedFrame>();
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                double pts = root.GetProperty("ptsSeconds").GetDouble();
                var detections = new List<global::EdgeSentry.Detection.Detection>();
                foreach (var d in root.GetProperty("detections").EnumerateArray())
                {
                    var box = d.GetProperty("box");
                    detections.Add(new global::EdgeSentry.Detection.Detection(
                        d.GetProperty("classId").GetInt32(),
                        d.GetProperty("score").GetSingle(),
                        new BoundingBox(box[0].GetSingle(), box[1].GetSingle(), box[2].GetSingle(), box[3].GetSingle())));
                }

                frames.Add(new RecordedFrame(pts, [.. detections]));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException or FormatException)
            {
                throw new InvalidDataException($"{source}:{lineNumber}: not a detect --json frame: {e.Message}", e);
            }
        }

        return frames;
    }

    /// <summary>One frame as a JSON line, written by the product's own contract writer.</summary>
    public static string Frame(int frame, double ptsSeconds, IReadOnlyList<global::EdgeSentry.Detection.Detection> detections, IReadOnlyList<string> labels)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            global::EdgeSentry.Detection.DetectionJson.WriteFrame(w, frame, ptsSeconds, detections.ToArray(), labels);
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
