namespace EdgeSentry.Detection;

/// <summary>Greedy non-maximum suppression in place over a caller-owned candidate span; allocates nothing.</summary>
public static class NonMaxSuppression
{
    /// <summary>
    /// Sorts <paramref name="candidates"/> best first and compacts the survivors to its front.
    /// A candidate is dropped when it overlaps an already kept one by IoU above <paramref name="iouThreshold"/>
    /// (only one of the same class when <paramref name="classWise"/>). Returns the number kept.
    /// </summary>
    public static int Apply(Span<Detection> candidates, float iouThreshold, bool classWise)
    {
        // The Comparison overload sorts without boxing a comparer (the IComparer overloads box a struct one).
        candidates.Sort(static (a, b) => b.Score.CompareTo(a.Score));
        int kept = 0;
        for (int i = 0; i < candidates.Length; i++)
        {
            var candidate = candidates[i];
            bool suppressed = false;
            for (int k = 0; k < kept; k++)
            {
                if ((!classWise || candidates[k].ClassId == candidate.ClassId)
                    && candidates[k].Box.IntersectionOverUnion(candidate.Box) > iouThreshold)
                {
                    suppressed = true;
                    break;
                }
            }

            if (!suppressed)
            {
                candidates[kept++] = candidate;
            }
        }

        return kept;
    }
}
