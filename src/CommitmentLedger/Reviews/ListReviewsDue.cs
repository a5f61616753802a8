using CommitmentLedger.Commitments;
using CommitmentLedger.Infrastructure;
using JasperFx;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Reviews;

public sealed record ReviewsDue(IReadOnlyList<CommitmentView> Items);

public static class ListReviewsDueEndpoint
{
    /// <summary>Open commitments with a <see cref="ReviewDue"/> not answered by progress since, longest waiting first.</summary>
    [WolverineGet("/api/reviews/due", OperationId = "listReviewsDue")]
    [Tags("Reviews")]
    [EndpointSummary("Commitments whose review is due: no progress for a whole review period; limit (default 50, max 500)")]
    [ProducesResponseType<ReviewsDue>(StatusCodes.Status200OK)]
    [ProblemResponses(400)]
    public static async Task<IResult> Get(string? limit, IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var size = Input.PageSize(errors, limit);
        if (errors.Any) return Problems.Invalid(errors);
        var due = await session.Query<Commitment>()
            .Where(c => c.ReviewDueSince != null && !c.Status.IsOneOf(LifecycleStatus.Completed, LifecycleStatus.Cancelled, LifecycleStatus.Superseded))
            .OrderBy(c => c.ReviewDueSince).ThenBy(c => c.Id)
            .Take(size)
            .ToListAsync(ct);
        var today = clock.Today();
        return Results.Ok(new ReviewsDue(due.Select(c => CommitmentView.Of(c, today)).ToList()));
    }
}
