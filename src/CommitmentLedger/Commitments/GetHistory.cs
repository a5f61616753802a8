using CommitmentLedger.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Commitments;

/// <summary>One audit entry: Marten's own event metadata merged with the effective date carried by the event.</summary>
public sealed record HistoryEntry(
    long Version,
    long Sequence,
    string Type,
    DateTimeOffset RecordedAt,
    DateOnly? EffectiveOn,
    string? RecordedBy,
    string? CorrelationId,
    string? CausationId,
    object Data);

public static class GetHistoryEndpoint
{
    [WolverineGet("/api/commitments/{id}/history", OperationId = "getHistory")]
    [Tags("Commitments")]
    [EndpointSummary("The audit trail of a commitment, oldest first")]
    [ProducesResponseType<HistoryEntry[]>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string id, IQuerySession session, CancellationToken ct)
    {
        var events = Guid.TryParse(id, out var streamId)
            ? await session.Events.FetchStreamAsync(streamId, token: ct)
            : [];
        if (events.Count == 0)
        {
            return Problems.NotFound($"No commitment has the id '{id}'.");
        }
        return Results.Ok(events.Select(e => new HistoryEntry(
            e.Version,
            e.Sequence,
            e.EventType.Name,
            e.Timestamp,
            (e.Data as IHasEffectiveDate)?.EffectiveOn,
            e.UserName,
            e.CorrelationId,
            e.CausationId,
            e.Data)).ToArray());
    }
}
