using CommitmentLedger.Commitments;
using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Portfolio;

public sealed record OverdueItem(Guid Id, IReadOnlyDictionary<string, string> Title, DateOnly DueOn, LifecycleStatus Status,
    string Area);

public sealed record PortfolioView(
    int Total,
    IReadOnlyDictionary<string, int> ByStatus,
    IReadOnlyDictionary<string, int> ByArea,
    IReadOnlyDictionary<string, int> ByParty,
    IReadOnlyDictionary<string, int> ByKind,
    IReadOnlyDictionary<string, int> ByStrength,
    IReadOnlyList<OverdueItem> Overdue,
    DaemonLag Daemon);

public static class GetPortfolioEndpoint
{
    [WolverineGet("/api/portfolio", OperationId = "getPortfolio")]
    [Tags("Portfolio")]
    [EndpointSummary("Counts by status, area, party, kind and strength and the overdue list, from the async portfolio " +
                     "projection; daemon says how many events it is behind")]
    [ProducesResponseType<PortfolioView>(StatusCodes.Status200OK)]
    public static async Task<PortfolioView> Get(IQuerySession session, IDocumentStore store, TimeProvider clock,
        CancellationToken ct)
    {
        var lag = await DaemonLag.Of(store, ct);
        var entries = await session.Query<PortfolioEntry>().ToListAsync(ct);
        var today = clock.Today();
        return new PortfolioView(
            entries.Count,
            CountBy(entries, e => [Vocabulary.Word(e.Status)]),
            CountBy(entries, e => [e.Area]),
            CountBy(entries, e => e.Parties),
            CountBy(entries, e => [Vocabulary.Word(e.Kind)]),
            CountBy(entries, e => [Vocabulary.Word(e.Strength)]),
            entries.Where(e => e.DueOn < today && !Lifecycle.IsTerminal(e.Status))
                .OrderBy(e => e.DueOn).ThenBy(e => e.Id)
                .Select(e => new OverdueItem(e.Id, e.Title, e.DueOn!.Value, e.Status, e.Area)).ToList(),
            lag);
    }

    public static SortedDictionary<string, int> CountBy(IEnumerable<PortfolioEntry> entries, Func<PortfolioEntry, IEnumerable<string>> keys)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var key in entries.SelectMany(keys))
        {
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }
}
