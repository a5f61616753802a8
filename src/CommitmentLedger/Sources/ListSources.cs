using CommitmentLedger.Infrastructure;
using Marten;
using Marten.Linq.MatchesSql;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Sources;

/// <summary>A registered source without its text (GET /api/sources/{key} has the text and the citing commitments).</summary>
public sealed record SourceSummary(string Key, string? Title, string Publisher, DateOnly PublishedOn, string? Url,
    string Language, string Sha256, DateTimeOffset RegisteredAt);

public sealed record SourcePage(IReadOnlyList<SourceSummary> Items, string? NextCursor);

public static class ListSourcesEndpoint
{
    [WolverineGet("/api/sources", OperationId = "listSources")]
    [Tags("Sources")]
    [EndpointSummary("The registered sources (a meeting's record each), in key order, paged: limit (default 50, max 500) " +
                     "and cursor (the nextCursor of the page before)")]
    [ProducesResponseType<SourcePage>(StatusCodes.Status200OK)]
    [ProblemResponses(400)]
    public static async Task<IResult> Get(string? limit, string? cursor, IQuerySession session, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var pageSize = Input.PageSize(errors, limit);
        // The cursor is the last key of the page before: keys are already URL-safe.
        if (cursor is not null && !SourceKeys.IsValid(cursor))
        {
            errors.Add("cursor", "is not a cursor this service gave out; start again without it");
        }
        if (errors.Any) return Problems.Invalid(errors);

        var query = session.Query<RegisteredSource>();
        var page = await (cursor is null ? query : query.Where(s => s.MatchesSql("d.id > ?", cursor)))
            .OrderBy(s => s.Id).Take(pageSize + 1).ToListAsync(ct);
        var items = page.Take(pageSize)
            .Select(s => new SourceSummary(s.Id, s.Title, s.Publisher, s.PublishedOn, s.Url, s.Language, s.Sha256, s.RegisteredAt))
            .ToList();
        return Results.Ok(new SourcePage(items, page.Count > pageSize ? items[^1].Key : null));
    }
}
