using CommitmentLedger.Infrastructure;
using CommitmentLedger.Portfolio;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Commitments;

public static class GetCommitmentEndpoint
{
    [WolverineGet("/api/commitments/{id}", OperationId = "getCommitment")]
    [Tags("Commitments")]
    [EndpointSummary("The current view of a commitment; asOf=TIMESTAMP as the ledger knew it then, validAt=DATE as " +
                     "it stood in the world on that date, both: what the ledger believed at asOf about validAt")]
    [ProducesResponseType<CommitmentView>(StatusCodes.Status200OK)]
    [ProblemResponses(400, 404)]
    public static async Task<IResult> Get(string id, string? asOf, string? validAt, IQuerySession session,
        TimeProvider clock, CancellationToken ct)
    {
        if (!Guid.TryParse(id, out var streamId))
        {
            return Problems.NotFound($"No commitment has the id '{id}'.");
        }
        var errors = new FieldErrors();
        if (TimeTravel.Parse(asOf, validAt, clock.GetUtcNow(), errors) is not { } when)
        {
            return Problems.Invalid(errors);
        }

        if (await when.Load(session, streamId, ct) is not { } commitment)
        {
            return Problems.NotFound(when.IsNow || await session.Events.FetchStreamStateAsync(streamId, ct) is null
                ? $"No commitment has the id '{id}'."
                : $"Commitment '{id}' did not exist {when.Describe()}: it was recorded later or made after that date.");
        }
        var view = CommitmentView.Of(commitment, when.OverdueOn(clock.Today()));
        // The current view of a parent carries its follow-ups by status (from the async portfolio projection).
        if (when.IsNow && commitment.FollowUps.Length > 0)
        {
            view = view with { FollowUpRollup = await Rollup.OfFollowUps(session, streamId, ct) };
        }
        return new ViewResult(view);
    }
}
