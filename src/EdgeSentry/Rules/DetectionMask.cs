namespace EdgeSentry.Rules;

/// <summary>
/// The first stage after detection: drops detections whose bottom-centre lies in one of the camera's
/// masks (sky, a billboard, a neighbour's yard) before the tracker sees them.
/// </summary>
internal sealed class DetectionMask
{
    private readonly CompiledZone[] _masks;
    private EdgeSentry.Detection.Detection[] _kept = new EdgeSentry.Detection.Detection[256];

    public DetectionMask(CompiledZone[] masks) => _masks = masks;

    /// <summary>Detections dropped because their bottom-centre lay in a mask.</summary>
    public long Masked { get; private set; }

    /// <summary>The detections outside every mask; valid until the next call.</summary>
    public ReadOnlySpan<EdgeSentry.Detection.Detection> Apply(ReadOnlySpan<EdgeSentry.Detection.Detection> detections, int width, int height)
    {
        if (_masks.Length == 0)
        {
            return detections;
        }

        if (detections.Length > _kept.Length)
        {
            // Grows only when a frame has more detections than any before it; steady state allocates nothing.
            _kept = new EdgeSentry.Detection.Detection[Math.Max(detections.Length, _kept.Length * 2)];
        }

        int count = 0;
        foreach (ref readonly var d in detections)
        {
            double fx = PlaneGeometry.FootX(d.Box, width), fy = PlaneGeometry.FootY(d.Box, height);
            bool masked = false;
            foreach (var mask in _masks)
            {
                masked |= mask.Contains(fx, fy);
            }

            if (masked)
            {
                Masked++;
            }
            else
            {
                _kept[count++] = d;
            }
        }

        return _kept.AsSpan(0, count);
    }
}
