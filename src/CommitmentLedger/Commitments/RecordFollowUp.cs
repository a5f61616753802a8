using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using CommitmentLedger.Reviews;
using Wolverine;
using Wolverine.Http;

namespace CommitmentLedger.Commitments;

public static class RecordFollowUpEndpoint
{
    [WolverinePost("/api/commitments/{id}/follow-ups", OperationId = "recordFollowUp")]
    [Tags("Commitments")]
    [EndpointSummary("Record a follow-up of a commitment (same body as create; parentId comes from the path)")]
    [ProducesResponseType<CommitmentView>(StatusCodes.Status201Created)]
    [ProblemResponses(400, 404, 409, 413, 412)]
    public static async Task<IResult> Post(string id, NewCommitment? body, IDocumentSession session, IMessageBus bus,
        HttpContext http, TimeProvider clock, ReviewSettings reviews, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var parentId) ||
            await session.Events.FetchForWriting<Commitment>(parentId, ct) is not { Aggregate: { } current } parent)
        {
            return Problems.NotFound($"No commitment has the id '{id}'.");
        }
        if (ETags.CheckIfMatch(http, current.Version) is { } preconditionFailed)
        {
            return preconditionFailed;
        }
        if (body is null)
        {
            return Problems.Invalid("body", "must be a JSON object, not null");
        }
        if (body.ParentId is { } named && named != parentId)
        {
            return Problems.Invalid("parentId", "must be left out or equal the id in the path");
        }
        return await RecordCommitmentEndpoint.Record(body with { ParentId = parentId }, session, bus, clock, reviews, ct, parent);
    }
}
