using EdgeSentry.Detection;

namespace EdgeSentry.Tracking;

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
