namespace EdgeSentry.Pipeline;

/// <summary>The service's own footprint, for soak checks and capacity planning.</summary>
/// <remarks>
/// ManagedHeapBytes is the live heap measured at the last garbage collection (between collections the heap
/// only grows by what was allocated since, which says nothing about leaks); Gen0Collections tells how many
/// collections that figure rests on.
/// </remarks>
public sealed record ProcessStatsPayload(long RssBytes, long ManagedHeapBytes, long AllocatedBytes, long GcCommittedBytes, int Gen0Collections, int Gen2Collections, int Threads, double CpuSeconds)
{
    public static ProcessStatsPayload Sample(bool measureLiveHeap = false)
    {
        if (measureLiveHeap)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        using var self = System.Diagnostics.Process.GetCurrentProcess();
        var gc = GC.GetGCMemoryInfo();
        return new ProcessStatsPayload(
            self.WorkingSet64, gc.HeapSizeBytes - gc.FragmentedBytes, GC.GetTotalAllocatedBytes(), gc.TotalCommittedBytes,
            GC.CollectionCount(0), GC.CollectionCount(2), self.Threads.Count, Math.Round(self.TotalProcessorTime.TotalSeconds, 2));
    }
}
