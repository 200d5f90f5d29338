using Microsoft.ML.OnnxRuntime.Tensors;

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
    private readonly PinnedTensor<long> _targetSizes;
    private readonly PinnedTensor<long> _labels;
    private readonly PinnedTensor<float> _boxes;
    private readonly PinnedTensor<float> _scores;
    private readonly int _classes;
    private readonly DetectionFilter _filter;
    private readonly float? _dedupeIou;
    private readonly CandidateBuffer _candidates;

    public DetrDecoder(FamilyContext context)
    {
        var m = context.Manifest;
        var session = context.Session;
        _classes = m.Classes;
        string sizesName = m.Decoder.TargetSizesInput!;
        var sizes = session.Inputs.FirstOrDefault(i => i.Name == sizesName);
        if (sizes is null || sizes.ElementType != TensorElementType.Int64 || !FamilyContext.ShapeMatches(sizes.Shape, [1, 2]))
        {
            throw new InvalidDataException(
                $"model {session.ModelPath} is declared family 'detr' by {m.ManifestPath}, but has no int64 input '{sizesName}' [N,2]; " +
                $"its inputs are {string.Join("; ", session.Inputs)}");
        }

        var labelsInfo = session.Outputs.FirstOrDefault(o => o.ElementType == TensorElementType.Int64 && o.Shape.Count == 2);
        var boxesInfo = session.Outputs.FirstOrDefault(o => o.ElementType == TensorElementType.Float && o.Shape.Count == 3 && o.Shape[2] == 4);
        var scoresInfo = session.Outputs.FirstOrDefault(o => o.ElementType == TensorElementType.Float && o.Shape.Count == 2);
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

        _targetSizes = PinnedTensor<long>.Create([1, 2]);
        _labels = PinnedTensor<long>.Create([1, k]);
        _boxes = PinnedTensor<float>.Create([1, k, 4]);
        _scores = PinnedTensor<float>.Create([1, k]);
        context.Binding.BindInput(sizesName, _targetSizes.Value);
        context.Binding.BindOutput(labelsInfo.Name, _labels.Value);
        context.Binding.BindOutput(boxesInfo.Name, _boxes.Value);
        context.Binding.BindOutput(scoresInfo.Name, _scores.Value);

        _filter = context.Filter;
        _dedupeIou = context.Options.DeduplicateLabels ? m.Decoder.DedupeIou ?? 0.7f : null;
        _candidates = new CandidateBuffer((int)k);
    }

    public void BeforeRun(in InputGeometry geometry)
    {
        var sizes = _targetSizes.Span;
        sizes[0] = geometry.SourceWidth;
        sizes[1] = geometry.SourceHeight;
    }

    public int Decode(in InputGeometry geometry, Span<Detection> results)
    {
        ReadOnlySpan<long> l = _labels.Span;
        ReadOnlySpan<float> b = _boxes.Span;
        ReadOnlySpan<float> s = _scores.Span;
        _candidates.Clear();
        for (int i = 0; i < s.Length; i++)
        {
            // A label outside the table cannot be named; the export maps to contiguous 0..classes-1.
            if (s[i] < _filter.Lowest || (ulong)l[i] >= (ulong)_classes || !_filter.Passes((int)l[i], s[i]))
            {
                continue;
            }

            _candidates.Add(new Detection((int)l[i], s[i], new BoundingBox(b[4 * i], b[(4 * i) + 1], b[(4 * i) + 2], b[(4 * i) + 3])));
        }

        var all = _candidates.Span;
        int kept = _dedupeIou is float iou
            ? NonMaxSuppression.Apply(all, iou, classWise: false)
            : SortOnly(all);
        return _filter.Emit(all[..kept], geometry, results);
    }

    public void Dispose()
    {
        _targetSizes.Dispose();
        _labels.Dispose();
        _boxes.Dispose();
        _scores.Dispose();
    }

    private static int SortOnly(Span<Detection> all)
    {
        all.Sort(static (x, y) => y.Score.CompareTo(x.Score));
        return all.Length;
    }
}
