using CommitmentLedger.Commitments;
using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Sources;

/// <summary>A commitment that cites the source, with the quote and where it stands in the text.</summary>
public sealed record CitingCommitment(
    Guid Id, string? ExternalRef, IReadOnlyDictionary<string, string> Title, LifecycleStatus Status, string? Section,
    string? Quote, int? QuoteStart, int? QuoteEnd);

public sealed record SourceView(
    string Key, string? Title, string Publisher, DateOnly PublishedOn, string? Url, string Language, string Sha256,
    DateTimeOffset RegisteredAt, string? RegisteredBy, string Text, IReadOnlyList<CitingCommitment> Commitments)
{
    public static SourceView Of(RegisteredSource s, IReadOnlyList<CitingCommitment> commitments) => new(
        s.Id, s.Title, s.Publisher, s.PublishedOn, s.Url, s.Language, s.Sha256, s.RegisteredAt, s.RegisteredBy, s.Text,
        commitments);

    public static async Task<SourceView> Load(IQuerySession session, RegisteredSource source, CancellationToken ct)
    {
        var key = source.Id;
        var citing = await session.Query<Commitment>().Where(x => x.Source!.Key == key).OrderBy(x => x.Id).ToListAsync(ct);
        return Of(source, citing.Select(c => new CitingCommitment(c.Id, c.ExternalRef, c.Title, c.Status, c.Source!.Section,
            c.Source.Quote, c.Source.QuoteStart, c.Source.QuoteEnd)).ToList());
    }
}

public static class GetSourceEndpoint
{
    [WolverineGet("/api/sources/{key}", OperationId = "getSource")]
    [Tags("Sources")]
    [EndpointSummary("A registered source with its full text, its SHA-256 and the commitments that cite it")]
    [ProducesResponseType<SourceView>(StatusCodes.Status200OK)]
    [ProblemResponses(404)]
    public static async Task<IResult> Get(string key, IQuerySession session, CancellationToken ct) =>
        SourceKeys.IsValid(key) && await session.LoadAsync<RegisteredSource>(key, ct) is { } source
            ? Results.Ok(await SourceView.Load(session, source, ct))
            : Problems.NotFound($"No source is registered under the key '{key}'.");
}
