using System.Text.Json;
using CommitmentLedger.Commitments;
using CommitmentLedger.Infrastructure;
using Marten;

namespace CommitmentLedger.Audit;

/// <summary>One line of the audit export: a history entry of any commitment, named by the commitment's id.</summary>
public sealed record AuditLine(
    Guid CommitmentId,
    long Version,
    long Sequence,
    string Type,
    DateTimeOffset RecordedAt,
    DateOnly? EffectiveOn,
    string? RecordedBy,
    string? CorrelationId,
    string? CausationId,
    object Data);

/// <summary>The recording window of an export: from (inclusive, default the beginning) to (exclusive, default now).</summary>
public sealed record AuditWindow(DateTimeOffset? From, DateTimeOffset To)
{
    public static AuditWindow? Parse(string? from, string? to, DateTimeOffset now, FieldErrors errors)
    {
        DateTimeOffset? start = null;
        if (from is not null)
        {
            if (Input.TryParseTimestamp(from, out var parsed)) start = parsed.ToUniversalTime();
            else errors.Add("from", TimeTravel.AsOfFormat);
        }
        var end = now;
        if (to is not null)
        {
            if (Input.TryParseTimestamp(to, out var parsed)) end = parsed.ToUniversalTime();
            else errors.Add("to", TimeTravel.AsOfFormat);
        }
        if (start > end)
        {
            errors.Add("to", "must not be before from");
        }
        return errors.Any ? null : new AuditWindow(start, end);
    }
}

/// <summary>
/// Writes every entry recorded in a window as JSON Lines, in sequence order, a page at a time (keyset paging on
/// the sequence), so neither the service nor the database holds more than one page of the window at once.
/// </summary>
public static class AuditLog
{
    public const string ContentType = "application/x-ndjson";
    public const int PageSize = 500;

    private static readonly byte[] NewLine = "\n"u8.ToArray();

    public static Task<int> CountAsync(IQuerySession session, AuditWindow window, CancellationToken ct) =>
        InWindow(session, window, after: 0).CountAsync(ct);

    /// <summary>Returns the number of lines written; <paramref name="progress"/> hears the running count after each page.</summary>
    public static async Task<long> WriteAsync(IQuerySession session, AuditWindow window, Stream output,
        Action<long>? progress, CancellationToken ct)
    {
        long written = 0, after = 0;
        while (true)
        {
            var page = await InWindow(session, window, after).OrderBy(e => e.Sequence).Take(PageSize).ToListAsync(ct);
            foreach (var e in page)
            {
                var line = new AuditLine(e.StreamId, e.Version, e.Sequence, e.EventType.Name, e.Timestamp,
                    (e.Data as IHasEffectiveDate)?.EffectiveOn, e.UserName, e.CorrelationId, e.CausationId, e.Data);
                await output.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(line, JsonSetup.Api), ct);
                await output.WriteAsync(NewLine, ct);
            }
            await output.FlushAsync(ct);
            written += page.Count;
            progress?.Invoke(written);
            if (page.Count < PageSize)
            {
                return written;
            }
            after = page[^1].Sequence;
        }
    }

    private static IQueryable<JasperFx.Events.IEvent> InWindow(IQuerySession session, AuditWindow window, long after)
    {
        var to = window.To;
        var query = session.Events.QueryAllRawEvents().Where(e => e.Sequence > after && e.Timestamp < to);
        if (window.From is { } from)
        {
            query = query.Where(e => e.Timestamp >= from);
        }
        return query;
    }
}
