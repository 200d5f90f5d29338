namespace EdgeSentry.Detection;

/// <summary>
/// A fixed-capacity pool of raw candidates for one detector. When a frame produces more than the capacity
/// (only with a very low score threshold), the weakest candidate is replaced, so the strongest ones survive
/// and the count of displaced ones is reported.
/// </summary>
internal sealed class CandidateBuffer(int capacity)
{
    private readonly Detection[] _items = new Detection[capacity];

    public int Count { get; private set; }

    /// <summary>Candidates displaced because the buffer was full, over the detector's lifetime.</summary>
    public long Overflowed { get; private set; }

    public Span<Detection> Span => _items.AsSpan(0, Count);

    public void Clear() => Count = 0;

    public void Add(in Detection d)
    {
        if (Count < _items.Length)
        {
            _items[Count++] = d;
            return;
        }

        Overflowed++;
        int weakest = 0;
        for (int i = 1; i < _items.Length; i++)
        {
            if (_items[i].Score < _items[weakest].Score)
            {
                weakest = i;
            }
        }

        if (_items[weakest].Score < d.Score)
        {
            _items[weakest] = d;
        }
    }
}
