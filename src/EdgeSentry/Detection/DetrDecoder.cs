using EdgeSentry.Native.OnnxRuntime;

namespace EdgeSentry.Detection;

/// <summary>
/// DETR-style export with the post-processor inside the graph (DEIMv2): a second input
/// <c>orig_target_sizes</c> int64 [1, 2] = (width, height) makes the graph return boxes in source pixels;
/// outputs labels int64 [1, K], boxes float [1, K, 4] (xyxy), scores float [1, K]. No NMS is needed. The
/// graph's top-K runs over query x class, so one object can come back under two labels; with
/// <see cref="DetectorOptions.DeduplicateLabels"/> a class-agnostic pass keeps the best label per box.
/// </summary>
internal sealed class DetrDecoder : IFamilyDecoder
{
    private readonly OrtTensor<long> targetSizes;
    private readonly OrtTensor<long> labels;
    private readonly OrtTensor<float> boxes;
    private readonly OrtTensor<float> scores;
    private readonly int classes;
    private readonly DetectionFilter filter;
    private readonly float? dedupeIou;
    private readonly CandidateBuffer candidates;

    public DetrDecoder(FamilyContext context)
    {
        var m = context.Manifest;
        var session = context.Session;
        classes = m.Classes;
        string sizesName = m.Decoder.TargetSizesInput!;
        var sizes = session.Inputs.FirstOrDefault(i => i.Name == sizesName);
        if (sizes is null || sizes.ElementType != OrtElementType.Int64 || !FamilyContext.ShapeMatches(sizes.Shape, [1, 2]))
        {
            throw new InvalidDataException(
                $"model {session.ModelPath} is declared family 'detr' by {m.ManifestPath}, but has no int64 input '{sizesName}' [N,2]; " +
                $"its inputs are {string.Join("; ", session.Inputs)}");
        }

        var labelsInfo = session.Outputs.FirstOrDefault(o => o.ElementType == OrtElementType.Int64 && o.Shape.Count == 2);
        var boxesInfo = session.Outputs.FirstOrDefault(o => o.ElementType == OrtElementType.Float && o.Shape.Count == 3 && o.Shape[2] == 4);
        var scoresInfo = session.Outputs.FirstOrDefault(o => o.ElementType == OrtElementType.Float && o.Shape.Count == 2);
        const string Expectation = "detr expects outputs labels int64 [N,K], boxes float [N,K,4] and scores float [N,K] with a fixed K";
        if (session.Outputs.Count != 3 || labelsInfo is null || boxesInfo is null || scoresInfo is null)
        {
            throw context.Mismatch(Expectation);
        }

        // The DEIMv2 exports declare every output dimension dynamic, so K comes from the manifest; a fixed K in
        // the model must agree with it. Run fails with ORT's shape message if the graph returns another K.
        long k = m.Decoder.TopK ?? labelsInfo.Shape[1];
        foreach (var declared in new[] { labelsInfo.Shape[1], boxesInfo.Shape[1], scoresInfo.Shape[1] })
        {
            if (k <= 0 || (declared != -1 && declared != k))
            {
                throw context.Mismatch($"{Expectation} (K = decoder.topK = {m.Decoder.TopK?.ToString() ?? "unset"})");
            }
        }

        targetSizes = OrtTensor<long>.Create([1, 2]);
        labels = OrtTensor<long>.Create([1, k]);
        boxes = OrtTensor<float>.Create([1, k, 4]);
        scores = OrtTensor<float>.Create([1, k]);
        context.Binding.BindInput(sizesName, targetSizes);
        context.Binding.BindOutput(labelsInfo.Name, labels);
        context.Binding.BindOutput(boxesInfo.Name, boxes);
        context.Binding.BindOutput(scoresInfo.Name, scores);

        filter = context.Filter;
        dedupeIou = context.Options.DeduplicateLabels ? m.Decoder.DedupeIou ?? 0.7f : null;
        candidates = new CandidateBuffer((int)k);
    }

    public void BeforeRun(in InputGeometry geometry)
    {
        var sizes = targetSizes.Span;
        sizes[0] = geometry.SourceWidth;
        sizes[1] = geometry.SourceHeight;
    }

    public int Decode(in InputGeometry geometry, Span<Detection> results)
    {
        ReadOnlySpan<long> l = labels.Span;
        ReadOnlySpan<float> b = boxes.Span;
        ReadOnlySpan<float> s = scores.Span;
        candidates.Clear();
        for (int i = 0; i < s.Length; i++)
        {
            // A label outside the table cannot be named; the export maps to contiguous 0..classes-1.
            if (s[i] < filter.Lowest || (ulong)l[i] >= (ulong)classes || !filter.Passes((int)l[i], s[i]))
            {
                continue;
            }

            candidates.Add(new Detection((int)l[i], s[i], new BoundingBox(b[4 * i], b[(4 * i) + 1], b[(4 * i) + 2], b[(4 * i) + 3])));
        }

        var all = candidates.Span;
        int kept = dedupeIou is float iou
            ? NonMaxSuppression.Apply(all, iou, classWise: false)
            : SortOnly(all);
        return filter.Emit(all[..kept], geometry, results);
    }

    public void Dispose()
    {
        targetSizes.Dispose();
        labels.Dispose();
        boxes.Dispose();
        scores.Dispose();
    }

    private static int SortOnly(Span<Detection> all)
    {
        all.Sort(static (x, y) => y.Score.CompareTo(x.Score));
        return all.Length;
    }
}
