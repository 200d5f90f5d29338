namespace EdgeSentry.Tests.Peers;

/// <summary>
/// Tests that compare rates or latencies measured side by side run alone (after the parallel ones), so other
/// tests' CPU use does not skew the ratio they check.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExclusiveCollection
{
    public const string Name = "Exclusive (side-by-side measurements)";
}
