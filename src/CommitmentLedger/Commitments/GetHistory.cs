using CommitmentLedger.Infrastructure;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CommitmentLedger.Commitments;

/// <summary>Marks an entry retracted: by which later entry, when, by whom and why.</summary>
public sealed record RetractionMark(long Version, DateTimeOffset RecordedAt, string? RecordedBy, string Reason);

/// <summary>
/// One audit entry: Marten's own event metadata merged with the effective date carried by the event, and the
/// fields of the view the entry changed (found by applying it, never stored).
/// </summary>
public sealed record HistoryEntry(
    long Version,
    long Sequence,
    string Type,
    DateTimeOffset RecordedAt,
    DateOnly? EffectiveOn,
    string? RecordedBy,
    string? CorrelationId,
    string? CausationId,
    RetractionMark? Retracted,
    object Data,
    IReadOnlyList<FieldChange> Changes);

public static class GetHistoryEndpoint
{
    [WolverineGet("/api/commitments/{id}/history", OperationId = "getHistory")]
    [Tags("Commitments")]
    [EndpointSummary("The audit trail of a commitment, oldest first; format=csv for a spreadsheet")]
    [ProducesResponseType<HistoryEntry[]>(StatusCodes.Status200OK, "application/json", HistoryCsv.ContentType)]
    [ProblemResponses(400, 404)]
    public static async Task<IResult> Get(string id, string? format, IQuerySession session, CancellationToken ct)
    {
        if (format is not (null or "json" or "csv"))
        {
            return Problems.Invalid("format", "must be json (the default) or csv");
        }
        var events = Guid.TryParse(id, out var streamId)
            ? await session.Events.FetchStreamAsync(streamId, token: ct)
            : [];
        if (events.Count == 0)
        {
            return Problems.NotFound($"No commitment has the id '{id}'.");
        }
        var entries = Entries(events);
        return format == "csv"
            ? HistoryCsv.Result(entries, streamId)
            : Results.Ok(entries);
    }

    public static HistoryEntry[] Entries(IReadOnlyList<IEvent> events)
    {
        var retractions = CommitmentReplay.RetractedVersions(events);
        return CommitmentReplay.Steps(events).Select(step => new HistoryEntry(
            step.Entry.Version,
            step.Entry.Sequence,
            step.Entry.EventType.Name,
            step.Entry.Timestamp,
            (step.Entry.Data as IHasEffectiveDate)?.EffectiveOn,
            step.Entry.UserName,
            step.Entry.CorrelationId,
            step.Entry.CausationId,
            retractions.TryGetValue(step.Entry.Version, out var retraction)
                ? new RetractionMark(retraction.Version, retraction.Timestamp, retraction.UserName, ((EntryRetracted)retraction.Data).Reason)
                : null,
            step.Entry.Data,
            ViewChanges.Between(step.Before, step.After))).ToArray();
    }
}
