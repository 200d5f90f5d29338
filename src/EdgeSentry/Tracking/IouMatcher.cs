using EdgeSentry.Detection;

namespace EdgeSentry.Tracking;

/// <summary>
/// Greedy best-IoU-first assignment between tracks and detections (of the same class unless asked), over preallocated
/// buffers. Greedy rather than Hungarian: with IoU gating the two agree on almost every frame of street
/// footage, and greedy is O(n·m log) with no cost matrix to hold.
/// </summary>
internal sealed class IouMatcher
{
    private float[] _keys;
    private int[] _pairs;
    private int _detectionCapacity;

    public IouMatcher(int trackCapacity, int detectionCapacity)
    {
        _detectionCapacity = detectionCapacity;
        _keys = new float[trackCapacity * detectionCapacity];
        _pairs = new int[trackCapacity * detectionCapacity];
        TrackToDetection = new int[trackCapacity];
        DetectionToTrack = new int[detectionCapacity];
    }

    public int[] TrackToDetection { get; }

    public int[] DetectionToTrack { get; private set; }

    /// <summary>Sizes the buffers for a frame; grows only when a frame has more detections than ever before.</summary>
    public void BeginFrame(int detectionCount)
    {
        if (detectionCount > _detectionCapacity)
        {
            _detectionCapacity = Math.Max(detectionCount, _detectionCapacity * 2);
            _keys = new float[TrackToDetection.Length * _detectionCapacity];
            _pairs = new int[TrackToDetection.Length * _detectionCapacity];
            DetectionToTrack = new int[_detectionCapacity];
        }

        Array.Fill(TrackToDetection, -1);
        Array.Fill(DetectionToTrack, -1, 0, detectionCount);
    }

    /// <summary>
    /// Matches tracks with <paramref name="trackEligible"/> set and still unmatched to detections with
    /// <paramref name="detectionEligible"/> set and still unmatched, at IoU >= <paramref name="minIou"/>.
    /// Results accumulate in <see cref="TrackToDetection"/> / <see cref="DetectionToTrack"/> across calls.
    /// Pairs are of the same class unless <paramref name="anyClass"/> is set.
    /// </summary>
    public int Match(
        ReadOnlySpan<BoundingBox> trackBoxes, ReadOnlySpan<int> trackClasses, ReadOnlySpan<bool> trackEligible,
        ReadOnlySpan<EdgeSentry.Detection.Detection> detections, ReadOnlySpan<bool> detectionEligible, float minIou, bool anyClass = false)
    {
        int count = 0;
        int dCap = _detectionCapacity;
        for (int t = 0; t < trackBoxes.Length; t++)
        {
            if (!trackEligible[t] || TrackToDetection[t] >= 0)
            {
                continue;
            }

            for (int d = 0; d < detections.Length; d++)
            {
                if (!detectionEligible[d] || DetectionToTrack[d] >= 0 || (!anyClass && detections[d].ClassId != trackClasses[t]))
                {
                    continue;
                }

                float iou = trackBoxes[t].IntersectionOverUnion(detections[d].Box);
                if (iou >= minIou)
                {
                    _keys[count] = -iou;
                    _pairs[count] = (t * dCap) + d;
                    count++;
                }
            }
        }

        _keys.AsSpan(0, count).Sort(_pairs.AsSpan(0, count));
        int matched = 0;
        for (int i = 0; i < count; i++)
        {
            int t = _pairs[i] / dCap, d = _pairs[i] % dCap;
            if (TrackToDetection[t] < 0 && DetectionToTrack[d] < 0)
            {
                TrackToDetection[t] = d;
                DetectionToTrack[d] = t;
                matched++;
            }
        }

        return matched;
    }
}
