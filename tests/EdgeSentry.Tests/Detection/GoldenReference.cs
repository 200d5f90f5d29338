using System.Text.Json;
using EdgeSentry.Detection;
using EdgeSentry.Tests.Peers;

namespace EdgeSentry.Tests.Detection;

using Detection = EdgeSentry.Detection.Detection;

/// <summary>
/// The rule of shared/tools/compare_golden.py in C#: every reference detection with score >= 0.35 is matched
/// one-to-one (best first) by a detection of the same class with |dscore| <= 0.05 and IoU >= 0.9
/// (0.75 when the reference box's shorter side is under 64 px); no unmatched detection scores above 0.35.
/// </summary>
public static class GoldenReference
{
    public const float ReferenceMinScore = 0.35f;
    public const float MaxScoreDifference = 0.05f;
    public const float MinIou = 0.9f;
    public const float MinIouSmall = 0.75f;
    public const float SmallSidePixels = 64f;
    public const float MaxUnmatchedScore = 0.35f;

    public static IReadOnlyList<Detection> Load(string model, string image)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedPaths.TestFrame("reference_detections.json")));
        var list = new List<Detection>();
        foreach (var d in doc.RootElement.GetProperty("models").GetProperty(model).GetProperty("detections").GetProperty(image).EnumerateArray())
        {
            var box = d.GetProperty("box_xyxy");
            list.Add(new Detection(
                d.GetProperty("class_id").GetInt32(),
                d.GetProperty("score").GetSingle(),
                new BoundingBox(box[0].GetSingle(), box[1].GetSingle(), box[2].GetSingle(), box[3].GetSingle())));
        }

        return list;
    }

    /// <summary>Returns every broken rule as a line of text; empty when the detections pass.</summary>
    public static IReadOnlyList<string> Compare(IReadOnlyList<Detection> reference, IReadOnlyList<Detection> detections)
    {
        var failures = new List<string>();
        var used = new bool[detections.Count];
        foreach (var r in reference.Where(r => r.Score >= ReferenceMinScore).OrderByDescending(r => r.Score))
        {
            float need = MathF.Min(r.Box.Width, r.Box.Height) >= SmallSidePixels ? MinIou : MinIouSmall;
            int best = -1;
            float bestIou = -1f;
            for (int j = 0; j < detections.Count; j++)
            {
                var d = detections[j];
                if (used[j] || d.ClassId != r.ClassId)
                {
                    continue;
                }

                float iou = Iou(r.Box, d.Box);
                if (iou >= need && MathF.Abs(d.Score - r.Score) <= MaxScoreDifference + 1e-6f && iou > bestIou)
                {
                    best = j;
                    bestIou = iou;
                }
            }

            if (best < 0)
            {
                failures.Add($"reference {Format(r)} not matched (need IoU >= {need}, |dscore| <= {MaxScoreDifference})");
                continue;
            }

            used[best] = true;
        }

        for (int j = 0; j < detections.Count; j++)
        {
            if (!used[j] && detections[j].Score > MaxUnmatchedScore)
            {
                failures.Add($"extra detection {Format(detections[j])} matches no reference");
            }
        }

        return failures;
    }

    public static string Format(Detection d) =>
        $"class {d.ClassId} {d.Score:F3} [{d.Box.X1:F1},{d.Box.Y1:F1},{d.Box.X2:F1},{d.Box.Y2:F1}]";

    // Computed in double like the Python tool, so borderline IoUs agree with it.
    private static float Iou(BoundingBox a, BoundingBox b)
    {
        double ix = Math.Max(0.0, Math.Min(a.X2, b.X2) - (double)Math.Max(a.X1, b.X1));
        double iy = Math.Max(0.0, Math.Min(a.Y2, b.Y2) - (double)Math.Max(a.Y1, b.Y1));
        double inter = ix * iy;
        double union = ((double)(a.X2 - a.X1) * (a.Y2 - a.Y1)) + ((double)(b.X2 - b.X1) * (b.Y2 - b.Y1)) - inter;
        return union > 0 ? (float)(inter / union) : 0f;
    }
}
