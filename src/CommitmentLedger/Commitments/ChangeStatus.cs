using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Marten;

namespace CommitmentLedger.Commitments;

public sealed record ChangeStatusRequest(string? Status, string? Reason, string? EffectiveOn);

public sealed record ChangeStatus(LifecycleStatus To, string Reason, DateOnly? EffectiveOn);

public static class ChangeStatusEndpoint
{
    public static ChangeStatus? Parse(ChangeStatusRequest? body, FieldErrors errors)
    {
        if (!Input.RequireBody(errors, body)) return null;
        if (!Vocabulary.TryParse<LifecycleStatus>(body.Status, out var to))
        {
            errors.Add("status", $"must be one of: {Vocabulary.Words<LifecycleStatus>()}");
        }
        Input.RequireText(errors, "reason", body.Reason, Limits.Reason);
        DateOnly? effectiveOn = null;
        if (body.EffectiveOn is not null)
        {
            if (Input.TryParseDate(body.EffectiveOn, out var date)) effectiveOn = date;
            else errors.Add("effectiveOn", "must be a real date written YYYY-MM-DD");
        }
        return errors.Any ? null : new ChangeStatus(to, body.Reason!.Trim(), effectiveOn);
    }

    public static Decision Decide(Commitment state, ChangeStatus command, DateOnly today)
    {
        if (!Lifecycle.CanMove(state.Status, command.To))
        {
            var allowed = Lifecycle.MovesFrom(state.Status);
            return new Decision.Conflict(
                $"A commitment that is {Vocabulary.Word(state.Status)} cannot move to {Vocabulary.Word(command.To)}. " +
                (allowed.Count == 0
                    ? $"{Vocabulary.Word(state.Status)} is terminal."
                    : $"Allowed moves: {string.Join(", ", allowed.Select(Vocabulary.Word))}."));
        }
        var effectiveOn = command.EffectiveOn ?? today;
        if (EffectiveDates.Check(state, effectiveOn, today) is { } invalid)
        {
            return invalid;
        }
        // Status changes then follow each other in effective order too, so validAt replays a lifecycle that was allowed.
        if (effectiveOn < state.StatusSince)
        {
            return new Decision.Invalid("effectiveOn",
                $"must not be before {state.StatusSince:yyyy-MM-dd}, when the current status {Vocabulary.Word(state.Status)} began " +
                "(to correct an earlier status change, retract it first)");
        }
        return Decision.Accept(new StatusChanged(state.Status, command.To, command.Reason, effectiveOn));
    }

    [WolverinePost("/api/commitments/{id}/status", OperationId = "changeStatus")]
    [Tags("Commitments")]
    [EndpointSummary("Change the lifecycle status of a commitment")]
    [ProducesResponseType<CommitmentView>(StatusCodes.Status200OK)]
    [ProblemResponses(400, 404, 409, 413, 412)]
    public static (IResult, Events) Post(ChangeStatusRequest body, [WriteAggregate("id")] Commitment commitment,
        IDocumentSession session, HttpContext http, TimeProvider clock)
        => CommitmentWrite.Run(commitment, http, session,
            errors => Parse(body, errors),
            command => Decide(commitment, command, clock.Today()));
}
