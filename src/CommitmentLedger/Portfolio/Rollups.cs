using CommitmentLedger.Commitments;
using CommitmentLedger.Infrastructure;
using CommitmentLedger.Sources;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Portfolio;

/// <summary>A group of commitments by status; the completion share is completed over all of them (0 when none).</summary>
public sealed record Rollup(int Total, IReadOnlyDictionary<string, int> ByStatus, int Completed, double CompletionShare)
{
    public static Rollup Of(IReadOnlyCollection<PortfolioEntry> entries)
    {
        var completed = entries.Count(e => e.Status == LifecycleStatus.Completed);
        var byStatus = new SortedDictionary<string, int>(
            entries.GroupBy(e => Vocabulary.Word(e.Status)).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);
        return new Rollup(entries.Count, byStatus, completed, entries.Count == 0 ? 0 : Math.Round((double)completed / entries.Count, 4));
    }

    /// <summary>The follow-ups of a parent, from the async portfolio projection.</summary>
    public static async Task<Rollup> OfFollowUps(IQuerySession session, Guid parentId, CancellationToken ct) =>
        Of(await session.Query<PortfolioEntry>().Where(e => e.ParentId == parentId).ToListAsync(ct));
}

public sealed record SourceRollup(string Key, Rollup Commitments, DaemonLag Daemon);

public static class GetSourceRollupEndpoint
{
    [WolverineGet("/api/sources/{key}/rollup", OperationId = "getSourceRollup")]
    [Tags("Portfolio")]
    [EndpointSummary("The commitments citing a registered source (a meeting's record) by status, with their completion share")]
    [ProducesResponseType<SourceRollup>(StatusCodes.Status200OK)]
    [ProblemResponses(404)]
    public static async Task<IResult> Get(string key, IQuerySession session, IDocumentStore store, CancellationToken ct)
    {
        if (!SourceKeys.IsValid(key) || await session.LoadAsync<RegisteredSource>(key, ct) is null)
        {
            return Problems.NotFound($"No source is registered under the key '{key}'.");
        }
        var lag = await DaemonLag.Of(store, ct);
        var entries = await session.Query<PortfolioEntry>().Where(e => e.SourceKey == key).ToListAsync(ct);
        return Results.Ok(new SourceRollup(key, Rollup.Of(entries), lag));
    }
}
