using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Commitments;

public static class GetCommitmentEndpoint
{
    [WolverineGet("/api/commitments/{id}", OperationId = "getCommitment")]
    [Tags("Commitments")]
    [EndpointSummary("The current view of a commitment, or with asOf=TIMESTAMP the view as the ledger knew it then")]
    [ProducesResponseType<CommitmentView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ValidationProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string id, string? asOf, IQuerySession session, TimeProvider clock,
        CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var streamId))
        {
            return Problems.NotFound($"No commitment has the id '{id}'.");
        }

        Commitment? commitment;
        var today = clock.Today();
        if (asOf is null)
        {
            commitment = await session.LoadAsync<Commitment>(streamId, ct);
        }
        else if (Input.TryParseTimestamp(asOf, out var timestamp))
        {
            // Marten's time travel: the stream folded up to the last event recorded at or before asOf.
            commitment = await session.Events.AggregateStreamAsync<Commitment>(streamId, timestamp: timestamp.ToUniversalTime(), token: ct);
            today = DateOnly.FromDateTime(timestamp.UtcDateTime) < today ? DateOnly.FromDateTime(timestamp.UtcDateTime) : today;
        }
        else
        {
            return Problems.Invalid("asOf", "must be an RFC 3339 timestamp such as 2026-03-01T12:00:00Z (encode '+' as %2B)");
        }

        if (commitment is null)
        {
            return Problems.NotFound(asOf is null
                ? $"No commitment has the id '{id}'."
                : $"Commitment '{id}' had not been recorded as of {asOf}.");
        }
        return new ViewResult(CommitmentView.Of(commitment, today));
    }
}
