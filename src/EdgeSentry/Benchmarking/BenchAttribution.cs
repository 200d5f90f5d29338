namespace EdgeSentry.Benchmarking;

/// <summary>
/// The attribution lines a report (and its annotated frames) must carry, from README.md "Licences and
/// attribution": the models' and footage's authors and licences, chosen by file name.
/// </summary>
internal static class BenchAttribution
{
    public static IReadOnlyList<string> For(IEnumerable<string> models, IEnumerable<string> footage)
    {
        var lines = new List<string>();
        foreach (var name in models.Select(Path.GetFileName).Distinct(StringComparer.Ordinal))
        {
            lines.Add(name switch
            {
                _ when name!.StartsWith("yolox", StringComparison.OrdinalIgnoreCase) =>
                    $"{name}: YOLOX-Nano by Megvii (Apache-2.0), ONNX export by Kazuhito00 (Apache-2.0).",
                _ when name.StartsWith("nanodet", StringComparison.OrdinalIgnoreCase) =>
                    $"{name}: NanoDet-m by RangiLyu (Apache-2.0), ONNX export by Kazuhito00 (Apache-2.0).",
                _ when name.StartsWith("deimv2", StringComparison.OrdinalIgnoreCase) =>
                    $"{name}: DEIMv2 by Intellindust (Apache-2.0), ONNX export by Kazuhito00 (Apache-2.0).",
                _ => $"{name}: see the model's manifest and ../shared/models/PROVENANCE.md for its licence.",
            });
        }

        foreach (var name in footage.Select(Path.GetFileName).Distinct(StringComparer.Ordinal))
        {
            lines.Add(name switch
            {
                _ when name!.StartsWith("intel_parking_cars", StringComparison.OrdinalIgnoreCase) =>
                    $"{name}: \"car-detection.mp4\" by Intel Corporation (intel-iot-devkit/sample-videos), CC BY 4.0; renamed, re-encoded.",
                _ when name.StartsWith("intel_indoor_people_one_by_one", StringComparison.OrdinalIgnoreCase) =>
                    $"{name}: \"one-by-one-person-detection.mp4\" by Intel Corporation (intel-iot-devkit/sample-videos), CC BY 4.0; renamed, re-encoded to H.264.",
                _ when name.StartsWith("intel_worker_zone", StringComparison.OrdinalIgnoreCase) =>
                    $"{name}: \"worker-zone-detection.gif\" by Intel Corporation (intel-iot-devkit/sample-videos), CC BY 4.0; renamed, re-encoded to H.264.",
                _ when name.StartsWith("meva", StringComparison.OrdinalIgnoreCase) =>
                    $"{name}: from the \"Multiview Extended Video with Activities\" (MEVA) dataset by Kitware Inc. and IARPA, CC BY 4.0; re-encoded.",
                _ => $"{name}: footage supplied by the user; check its licence before publishing the report.",
            });
        }

        lines.Add("Annotated sample frames made from this footage carry the same attribution. ONNX Runtime by Microsoft (MIT).");
        return lines;
    }
}
