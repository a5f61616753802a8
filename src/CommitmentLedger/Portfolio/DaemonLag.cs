using Marten;

namespace CommitmentLedger.Portfolio;

/// <summary>How far the portfolio projection is behind the event store: 0 events behind means up to date.</summary>
public sealed record DaemonLag(long LastEventSequence, long ProjectedSequence, long EventsBehind)
{
    public static async Task<DaemonLag> Of(IDocumentStore store, CancellationToken ct)
    {
        var statistics = await store.Advanced.FetchEventStoreStatistics(token: ct);
        var progress = await store.Advanced.AllProjectionProgress(token: ct);
        var projected = progress.Where(p => p.ShardName.StartsWith(nameof(PortfolioEntry), StringComparison.Ordinal))
            .Select(p => p.Sequence).DefaultIfEmpty(0).Min();
        var last = statistics.EventSequenceNumber;
        return new DaemonLag(last, projected, Math.Max(0, last - projected));
    }
}
