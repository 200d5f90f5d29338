using EdgeSentry.Detection;

namespace EdgeSentry.Tracking;

/// <summary>One labelled box of a frame: a ground-truth object or a tracker's output.</summary>
public readonly record struct TrackBox(int Id, int ClassId, BoundingBox Box);

/// <summary>CLEAR-MOT style counts of one evaluation.</summary>
public sealed record TrackingScores
{
    public int Frames { get; init; }
    public int TruthBoxes { get; init; }
    public int Matches { get; init; }
    public int Misses { get; init; }
    public int FalsePositives { get; init; }
    /// <summary>A truth object matched to a different track id than at its previous match.</summary>
    public int IdSwitches { get; init; }
    /// <summary>A truth object tracked again after frames in which it was present but not tracked.</summary>
    public int Fragmentations { get; init; }
    public int TruthTracks { get; init; }
    public int HypothesisTracks { get; init; }

    /// <summary>1 - (misses + false positives + id switches) / truth boxes.</summary>
    public double Mota => TruthBoxes == 0 ? 0 : 1 - ((Misses + FalsePositives + IdSwitches) / (double)TruthBoxes);
}

/// <summary>
/// Scores a tracker's output against a reference, frame by frame, the CLEAR-MOT way: a truth object
/// keeps its previous partner while their IoU stays above the threshold; the rest are matched greedily
/// by IoU within the same class. Not on the hot path (an offline tool), so it uses plain collections.
/// </summary>
public sealed class TrackingEvaluator
{
    private readonly float _minIou;
    private readonly Dictionary<int, int> _lastPartner = [];
    private readonly Dictionary<int, bool> _trackedLastSeen = [];
    private readonly HashSet<int> _hypothesisIds = [];
    private int _frames, _truthBoxes, _matches, _misses, _falsePositives, _idSwitches, _fragmentations;

    public TrackingEvaluator(float minIou = 0.5f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minIou);
        _minIou = minIou;
    }

    public TrackingScores Scores => new()
    {
        Frames = _frames,
        TruthBoxes = _truthBoxes,
        Matches = _matches,
        Misses = _misses,
        FalsePositives = _falsePositives,
        IdSwitches = _idSwitches,
        Fragmentations = _fragmentations,
        TruthTracks = _trackedLastSeen.Count,
        HypothesisTracks = _hypothesisIds.Count,
    };

    public void AddFrame(ReadOnlySpan<TrackBox> truth, ReadOnlySpan<TrackBox> hypotheses)
    {
        _frames++;
        _truthBoxes += truth.Length;
        var truthPartner = new int[truth.Length];
        var hypothesisTaken = new bool[hypotheses.Length];
        Array.Fill(truthPartner, -1);
        foreach (var h in hypotheses)
        {
            _hypothesisIds.Add(h.Id);
        }

        // Keep last frame's correspondences that still overlap.
        for (int g = 0; g < truth.Length; g++)
        {
            if (!_lastPartner.TryGetValue(truth[g].Id, out int partnerId))
            {
                continue;
            }

            for (int h = 0; h < hypotheses.Length; h++)
            {
                if (!hypothesisTaken[h] && hypotheses[h].Id == partnerId && Overlaps(truth[g], hypotheses[h], out _))
                {
                    truthPartner[g] = h;
                    hypothesisTaken[h] = true;
                    break;
                }
            }
        }

        var pairs = new List<(float Iou, int G, int H)>();
        for (int g = 0; g < truth.Length; g++)
        {
            for (int h = 0; truthPartner[g] < 0 && h < hypotheses.Length; h++)
            {
                if (!hypothesisTaken[h] && Overlaps(truth[g], hypotheses[h], out float iou))
                {
                    pairs.Add((iou, g, h));
                }
            }
        }

        pairs.Sort((a, b) => b.Iou.CompareTo(a.Iou));
        foreach (var (_, g, h) in pairs)
        {
            if (truthPartner[g] < 0 && !hypothesisTaken[h])
            {
                truthPartner[g] = h;
                hypothesisTaken[h] = true;
            }
        }

        for (int g = 0; g < truth.Length; g++)
        {
            int id = truth[g].Id;
            bool seenBefore = _trackedLastSeen.TryGetValue(id, out bool trackedLast);
            if (truthPartner[g] < 0)
            {
                _misses++;
                _trackedLastSeen[id] = false;
                continue;
            }

            _matches++;
            int partnerId = hypotheses[truthPartner[g]].Id;
            if (_lastPartner.TryGetValue(id, out int previous))
            {
                if (previous != partnerId)
                {
                    _idSwitches++;
                }

                if (seenBefore && !trackedLast)
                {
                    _fragmentations++;
                }
            }

            _lastPartner[id] = partnerId;
            _trackedLastSeen[id] = true;
        }

        foreach (bool taken in hypothesisTaken)
        {
            _falsePositives += taken ? 0 : 1;
        }
    }

    private bool Overlaps(in TrackBox truth, in TrackBox hypothesis, out float iou)
    {
        iou = truth.ClassId == hypothesis.ClassId ? truth.Box.IntersectionOverUnion(hypothesis.Box) : 0f;
        return iou >= _minIou;
    }
}

/// <summary>One frame of recorded detections (e.g. parsed from <c>edgesentry detect --json</c>).</summary>
public sealed record RecordedFrame(double PtsSeconds, EdgeSentry.Detection.Detection[] Detections);

/// <summary>What a tracker produced over a recording: per frame, the confirmed tracks it reported as seen.</summary>
public sealed record TrackerRun(IReadOnlyList<TrackBox[]> Frames, int TracksStarted, int DistinctConfirmedTracks, double MeanConfirmedTrackSeconds);

public sealed record TrackerComparisonResult(
    TrackerRun ByteTrack,
    TrackerRun Baseline,
    TrackingScores ByteTrackVsReference,
    TrackingScores BaselineVsReference,
    TrackingScores ByteTrackVsBaseline)
{
    /// <summary>A Markdown table of the figures that matter for the note.</summary>
    public string ToMarkdown() => string.Join('\n',
        "| tracker | id switches | fragmentations | misses | false positives | MOTA | confirmed tracks | tracks started | mean track s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        Row("ByteTrack-style", ByteTrackVsReference, ByteTrack),
        Row("IoU baseline", BaselineVsReference, Baseline));

    private static string Row(string name, TrackingScores s, TrackerRun run) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"| {name} | {s.IdSwitches} | {s.Fragmentations} | {s.Misses} | {s.FalsePositives} | {s.Mota:F3} | {run.DistinctConfirmedTracks} | {run.TracksStarted} | {run.MeanConfirmedTrackSeconds:F2} |");
}

/// <summary>
/// Offline comparison of trackers on the same detections (the ByteTrack-style tracker against the IoU
/// baseline on real footage): replay, build a reference, score.
/// </summary>
public static class TrackerComparison
{
    public static TrackerRun Replay(IObjectTracker tracker, IEnumerable<RecordedFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(frames);
        var output = new List<TrackBox[]>();
        var spans = new Dictionary<int, (double First, double Last)>();
        foreach (var frame in frames)
        {
            tracker.Update(frame.Detections, frame.PtsSeconds);
            var seen = new List<TrackBox>();
            foreach (var t in tracker.Tracks)
            {
                if (t.IsVisible)
                {
                    seen.Add(new TrackBox(t.Id, t.ClassId, t.Box));
                    spans[t.Id] = spans.TryGetValue(t.Id, out var s) ? (s.First, frame.PtsSeconds) : (frame.PtsSeconds, frame.PtsSeconds);
                }
            }

            output.Add([.. seen]);
        }

        double mean = spans.Count == 0 ? 0 : spans.Values.Average(s => s.Last - s.First);
        return new TrackerRun(output, tracker.TracksStarted, spans.Count, mean);
    }

    /// <summary>
    /// The tracker-quality comparison in one call: both trackers replayed on the same detections with the
    /// same options, each scored against the detection-linked reference, and the ByteTrack-style output
    /// also scored with the baseline's output as the reference (how much the two disagree).
    /// </summary>
    public static TrackerComparisonResult CompareWithBaseline(IReadOnlyList<RecordedFrame> frames, TrackerOptions options, float minIou = 0.5f)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(options);
        var byteRun = Replay(new ByteTracker(options), frames);
        var baselineRun = Replay(new IouTracker(options), frames);
        var reference = LinkUnambiguous(frames, options.HighScore);
        return new TrackerComparisonResult(
            byteRun,
            baselineRun,
            Score(reference, byteRun.Frames, minIou),
            Score(reference, baselineRun.Frames, minIou),
            Score(baselineRun.Frames, byteRun.Frames, minIou));
    }

    /// <summary>Scores <paramref name="candidate"/> against <paramref name="reference"/> (ground truth, or another tracker's output).</summary>
    public static TrackingScores Score(IReadOnlyList<TrackBox[]> reference, IReadOnlyList<TrackBox[]> candidate, float minIou = 0.5f)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(candidate);
        if (reference.Count != candidate.Count)
        {
            throw new ArgumentException($"the reference has {reference.Count} frames but the candidate {candidate.Count}", nameof(candidate));
        }

        var evaluator = new TrackingEvaluator(minIou);
        for (int i = 0; i < reference.Count; i++)
        {
            evaluator.AddFrame(reference[i], candidate[i]);
        }

        return evaluator.Scores;
    }

    /// <summary>
    /// A detection-only reference for footage without annotations: a detection continues a chain only
    /// when the link is unambiguous (mutual best IoU >= <paramref name="linkIou"/> in the next frame, and no
    /// rival above <paramref name="rivalIou"/>). Chains break at every gap or doubt, so this reference
    /// only measures whether a tracker keeps ids on the easy stretches (switches there are real errors);
    /// it cannot reward bridging gaps. State that bias next to any number computed with it.
    /// </summary>
    public static IReadOnlyList<TrackBox[]> LinkUnambiguous(IReadOnlyList<RecordedFrame> frames, float minScore = 0.5f, float linkIou = 0.6f, float rivalIou = 0.3f)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var output = new List<TrackBox[]>(frames.Count);
        TrackBox[] previous = [];
        int nextId = 1;
        foreach (var frame in frames)
        {
            var current = frame.Detections.Where(d => d.Score >= minScore).ToArray();
            var boxes = new TrackBox[current.Length];
            for (int i = 0; i < current.Length; i++)
            {
                int chosen = -1;
                bool ambiguous = false;
                for (int p = 0; p < previous.Length; p++)
                {
                    if (previous[p].ClassId != current[i].ClassId)
                    {
                        continue;
                    }

                    float iou = previous[p].Box.IntersectionOverUnion(current[i].Box);
                    if (iou >= linkIou && chosen < 0)
                    {
                        chosen = p;
                    }
                    else if (iou >= rivalIou)
                    {
                        ambiguous = true;
                    }
                }

                // The previous box must not have a rival among this frame's boxes either.
                for (int j = 0; chosen >= 0 && !ambiguous && j < current.Length; j++)
                {
                    ambiguous = j != i && current[j].ClassId == current[i].ClassId
                        && previous[chosen].Box.IntersectionOverUnion(current[j].Box) >= rivalIou;
                }

                int id = chosen >= 0 && !ambiguous ? previous[chosen].Id : nextId++;
                boxes[i] = new TrackBox(id, current[i].ClassId, current[i].Box);
            }

            output.Add(boxes);
            previous = boxes;
        }

        return output;
    }
}
