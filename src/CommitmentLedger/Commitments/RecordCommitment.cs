using CommitmentLedger.Infrastructure;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using CommitmentLedger.Deadlines;
using CommitmentLedger.Reviews;
using Wolverine;
using Wolverine.Http;

namespace CommitmentLedger.Commitments;

public static class RecordCommitmentEndpoint
{
    [WolverinePost("/api/commitments", OperationId = "recordCommitment")]
    [Tags("Commitments")]
    [EndpointSummary("Record a commitment")]
    [ProducesResponseType<CommitmentView>(StatusCodes.Status201Created)]
    [ProducesResponseType<CommitmentView>(StatusCodes.Status200OK, Description = "The same content was already recorded under this externalRef")]
    [ProblemResponses(400, 409, 413)]
    public static async Task<IResult> Post(NewCommitment? body, IDocumentSession session, IMessageBus bus, TimeProvider clock,
        ReviewSettings reviews, CancellationToken ct) => await Record(body, session, bus, clock, reviews, ct);

    /// <summary>
    /// Validation, the parent check and the natural-key check, shared with follow-ups (which pass the parent
    /// they already fetched for writing).
    /// </summary>
    public static async Task<IResult> Record(NewCommitment? body, IDocumentSession session, IMessageBus bus, TimeProvider clock,
        ReviewSettings reviews, CancellationToken ct, IEventStream<Commitment>? parent = null)
    {
        var errors = new FieldErrors();
        var recorded = NewCommitmentRules.Validate(body, errors);
        ReviewPeriod? reviewEvery = null;
        if (body?.ReviewEvery is not null && !ReviewPeriod.TryParse(body.ReviewEvery, out reviewEvery, out var periodError))
        {
            errors.Add("reviewEvery", periodError!);
        }
        parent ??= recorded?.ParentId is { } parentId
            ? await session.Events.FetchForWriting<Commitment>(parentId, ct)
            : null;
        if (parent is { Aggregate: null })
        {
            errors.Add("parentId", $"no commitment has the id {parent.Id}");
        }
        if (recorded is not null)
        {
            recorded = await NewCommitmentRules.CiteRegisteredSource(recorded, session, errors, "source.", ct);
        }
        if (recorded is null || errors.Any)
        {
            return Problems.Invalid(errors);
        }

        var existing = await CommitmentRecording.FindByExternalRef(session, recorded.ExternalRef, ct);
        var recording = CommitmentRecording.Decide(recorded, existing, clock);
        if (recording.Outcome == RecordingOutcome.Created)
        {
            CommitmentRecording.Start(session, recording.Id, recorded, parent,
                reviewEvery is null ? null : new ReviewPeriodSet(reviewEvery.Text, recorded.MadeOn));
            await ReviewSchedule.Start(bus, recording.Id, recorded, reviewEvery, reviews, clock);
            // Through the session's outbox: stored with the events in one transaction, or not at all.
            if (recorded.DueOn is { } dueOn)
            {
                await DeadlineSchedule.Schedule(bus, recording.Id, dueOn, clock);
            }
        }
        return recording.Outcome switch
        {
            RecordingOutcome.Created => new CommitmentResponse(session, recording.Id, StatusCodes.Status201Created),
            RecordingOutcome.Unchanged => new CommitmentResponse(session, recording.Id),
            _ => Problems.Conflict(
                $"externalRef '{recorded.ExternalRef}' is already used by commitment {recording.Id} with different content.",
                new Dictionary<string, object?> { ["existingId"] = recording.Id }),
        };
    }
}
