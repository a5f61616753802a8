using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Drafts;

public sealed record DraftsView(string Source, string Language, string Sha256, int Count, IReadOnlyList<Draft> Drafts);

public static class DraftCommitmentsEndpoint
{
    [WolverinePost("/api/sources/{key}/drafts", OperationId = "draftCommitments")]
    [Tags("Sources")]
    [EndpointSummary("Propose commitments read from a registered source's sentences; nothing is recorded")]
    [ProducesResponseType<DraftsView>(StatusCodes.Status200OK)]
    [ProblemResponses(404)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json", Description = "The source has no text")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json", Description = "The text is binary or its language has no rules")]
    public static async Task<IResult> Post(string key, IQuerySession session, CancellationToken ct)
    {
        var (readable, problem) = await SourceText.Open(key, session, ct);
        if (readable is null)
        {
            return problem!;
        }
        var drafts = Drafter.Read(readable.Source.Text, readable.Rules);
        return Results.Ok(new DraftsView(readable.Source.Id, readable.Source.Language, readable.Source.Sha256, drafts.Count, drafts));
    }
}
