using EdgeSentry.Detection;

namespace EdgeSentry.Tracking;

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
