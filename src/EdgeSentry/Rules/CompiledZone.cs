namespace EdgeSentry.Rules;

/// <summary>A validated zone or mask as flat coordinate arrays with a bounding box for a cheap first test.</summary>
internal sealed class CompiledZone
{
    private readonly double[] _xs;
    private readonly double[] _ys;
    private readonly double _minX, _minY, _maxX, _maxY;

    public CompiledZone(ZoneDefinition definition)
    {
        Id = definition.Id;
        _xs = definition.Polygon.Select(p => p[0]).ToArray();
        _ys = definition.Polygon.Select(p => p[1]).ToArray();
        _minX = _xs.Min();
        _maxX = _xs.Max();
        _minY = _ys.Min();
        _maxY = _ys.Max();
        if (definition.Direction is { } d)
        {
            HasDirection = true;
            double len = Math.Sqrt((d[0] * d[0]) + (d[1] * d[1]));
            DirectionX = d[0] / len;
            DirectionY = d[1] / len;
        }
    }

    public string Id { get; }

    public bool HasDirection { get; }

    public double DirectionX { get; }

    public double DirectionY { get; }

    public bool Contains(double x, double y) =>
        x >= _minX && x <= _maxX && y >= _minY && y <= _maxY && PlaneGeometry.ContainsPoint(_xs, _ys, x, y);
}
