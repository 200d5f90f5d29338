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

/// <summary>A validated counting line; <see cref="Side"/> is signed distance in normalised units.</summary>
internal sealed class CompiledLine
{
    public CompiledLine(LineDefinition definition)
    {
        Id = definition.Id;
        AX = definition.From[0];
        AY = definition.From[1];
        BX = definition.To[0];
        BY = definition.To[1];
        Length = Math.Sqrt(((BX - AX) * (BX - AX)) + ((BY - AY) * (BY - AY)));
        if (definition.Direction is { } d)
        {
            HasDirection = true;
            DirectionX = d[0];
            DirectionY = d[1];
        }
    }

    public string Id { get; }

    public double AX { get; }

    public double AY { get; }

    public double BX { get; }

    public double BY { get; }

    public double Length { get; }

    public bool HasDirection { get; }

    public double DirectionX { get; }

    public double DirectionY { get; }

    public double Side(double x, double y) => PlaneGeometry.Cross(AX, AY, BX, BY, x, y) / Length;
}
