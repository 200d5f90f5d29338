namespace EdgeSentry.Rules;

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
