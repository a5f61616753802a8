using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using CommitmentLedger.Deadlines;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace CommitmentLedger.Commitments;

public sealed record SetDueDateRequest(string? DueOn, string? Reason);

public sealed record SetDueDate(DateOnly DueOn, string Reason);

public static class SetDueDateEndpoint
{
    public static SetDueDate? Parse(SetDueDateRequest? body, FieldErrors errors)
    {
        if (!Input.RequireBody(errors, body)) return null;
        if (!Input.TryParseDate(body.DueOn, out var dueOn))
        {
            errors.Add("dueOn", "is required and must be a real date written YYYY-MM-DD");
        }
        Input.RequireText(errors, "reason", body.Reason, Limits.Reason);
        return errors.Any ? null : new SetDueDate(dueOn, body.Reason!.Trim());
    }

    /// <summary>Setting the date it already has appends nothing: a PUT may be repeated.</summary>
    public static Decision Decide(Commitment state, SetDueDate command, DateOnly today)
    {
        if (command.DueOn < state.MadeOn)
        {
            return new Decision.Invalid("dueOn", $"must not be before the commitment was made ({state.MadeOn:yyyy-MM-dd})");
        }
        if (state.IsTerminal)
        {
            return new Decision.Conflict(
                $"The commitment is {Vocabulary.Word(state.Status)}, a terminal status: its due date can no longer move.");
        }
        return state.DueOn == command.DueOn
            ? Decision.Accept()
            : Decision.Accept(new DueDateSet(state.DueOn, command.DueOn, command.Reason, today));
    }

    [WolverinePut("/api/commitments/{id}/due-date", OperationId = "setDueDate")]
    [Tags("Commitments")]
    [EndpointSummary("Set or move the due date of a commitment")]
    [ProducesResponseType<CommitmentView>(StatusCodes.Status200OK)]
    [ProblemResponses(400, 404, 409, 413, 412)]
    public static (IResult, Events, OutgoingMessages) Put(SetDueDateRequest body, [WriteAggregate("id")] Commitment commitment,
        IDocumentSession session, HttpContext http, TimeProvider clock)
    {
        var (result, events) = CommitmentWrite.Run(commitment, http, session,
            errors => Parse(body, errors),
            command => Decide(commitment, command, clock.Today()));
        // The check for the new date goes out with the event (outbox); a check still scheduled for the old
        // date finds the date moved and does nothing.
        var checks = new OutgoingMessages();
        foreach (var set in events.OfType<DueDateSet>())
        {
            checks.Add(DeadlineSchedule.CheckWhenPassed(commitment.Id, set.DueOn, clock));
        }
        return (result, events, checks);
    }
}
