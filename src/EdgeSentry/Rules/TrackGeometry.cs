using EdgeSentry.Tracking;

namespace EdgeSentry.Rules;

/// <summary>
/// Where this frame's tracks stand, in normalised frame units: bottom-centre, box size, and which zones
/// hold the bottom-centre. Measured once per frame for every rule, in preallocated per-slot tables.
/// </summary>
internal sealed class TrackGeometry
{
    private readonly CompiledZone[] _zones;
    private readonly int _capacity;
    private readonly double[] _footX;
    private readonly double[] _footY;
    private readonly double[] _width;
    private readonly double[] _height;
    private readonly bool[] _inZone;

    public TrackGeometry(CompiledZone[] zones, int capacity)
    {
        _zones = zones;
        _capacity = capacity;
        _footX = new double[capacity];
        _footY = new double[capacity];
        _width = new double[capacity];
        _height = new double[capacity];
        _inZone = new bool[Math.Max(1, zones.Length) * capacity];
    }

    /// <summary>Source frame size of the latest frame (1 x 1 before the first).</summary>
    public int FrameWidth { get; private set; } = 1;

    public int FrameHeight { get; private set; } = 1;

    public void Measure(ReadOnlySpan<TrackedObject> tracks, int frameWidth, int frameHeight)
    {
        FrameWidth = frameWidth;
        FrameHeight = frameHeight;
        for (int slot = 0; slot < _capacity; slot++)
        {
            ref readonly var track = ref tracks[slot];
            if (track.State == TrackState.Free)
            {
                continue;
            }

            _footX[slot] = PlaneGeometry.FootX(track.Box, frameWidth);
            _footY[slot] = PlaneGeometry.FootY(track.Box, frameHeight);
            _width[slot] = track.Box.Width / (double)frameWidth;
            _height[slot] = track.Box.Height / (double)frameHeight;
            for (int z = 0; z < _zones.Length; z++)
            {
                _inZone[(z * _capacity) + slot] = _zones[z].Contains(_footX[slot], _footY[slot]);
            }
        }
    }

    public double FootX(int slot) => _footX[slot];

    public double FootY(int slot) => _footY[slot];

    public double Width(int slot) => _width[slot];

    public double Height(int slot) => _height[slot];

    /// <summary>Whether the track in <paramref name="slot"/> stands in zone <paramref name="zoneIndex"/>; -1 is the whole frame.</summary>
    public bool InZone(int zoneIndex, int slot) => zoneIndex < 0 || _inZone[(zoneIndex * _capacity) + slot];
}
