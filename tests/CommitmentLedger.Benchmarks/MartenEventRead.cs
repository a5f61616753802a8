using CommitmentLedger.Commitments;
using Marten;

namespace CommitmentLedger.Benchmarks;

/// <summary>
/// P4's ceiling: every event read in stream order by the service's <c>rebuild</c> reader (Marten's own event reader),
/// with nothing folded or written. No rebuild that reads with it can beat it.
/// </summary>
public static class MartenEventRead
{
    public static async Task<long> ReadAll(IDocumentStore store)
    {
        long count = 0;
        await foreach (var _ in CommitmentViewRebuild.EventsInStreamOrderAsync(store, CancellationToken.None)) count++;
        return count;
    }
}
