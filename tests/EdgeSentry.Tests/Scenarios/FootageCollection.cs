namespace EdgeSentry.Tests.Scenarios;

/// <summary>
/// The tests that run real clips through ffmpeg and the detector share one collection, so they run one
/// after another: the box has two cores, shared with other work, and each clip costs seconds of CPU.
/// </summary>
[CollectionDefinition(Name)]
public sealed class FootageCollection
{
    public const string Name = "Footage";
}
