using System.Text.Json;
using CommitmentLedger.Commitments;
using CommitmentLedger.Infrastructure;
using System.Text.Json.Serialization;
using CommitmentLedger.Integrity;
using Marten;
using Npgsql;

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
    object Data,
    ChainLink? Chain);

/// <summary>
/// Exactly what the hash chain covers for this entry: the stored event type and data (PostgreSQL's jsonb text,
/// written verbatim) and the hashes, so <c>verify --export</c> can check the file without a database.
/// </summary>
public sealed record ChainLink(
    string Type,
    [property: JsonConverter(typeof(RawJson))] string Data,
    string? PreviousHash,
    string? Hash);

/// <summary>Writes a string that already is JSON as it is, byte for byte; a re-serialisation could change the hashed text.</summary>
public sealed class RawJson : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.GetRawText();
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value, skipInputValidation: true);
}

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
            var links = await ChainLinksAsync(session, page.Select(e => e.Sequence).ToArray(), ct);
            foreach (var e in page)
            {
                var line = new AuditLine(e.StreamId, e.Version, e.Sequence, e.EventType.Name, e.Timestamp,
                    (e.Data as IHasEffectiveDate)?.EffectiveOn, e.UserName, e.CorrelationId, e.CausationId, e.Data,
                    links.GetValueOrDefault(e.Sequence));
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

    /// <summary>The stored form and the hashes of one page of entries, in one query.</summary>
    private static async Task<Dictionary<long, ChainLink>> ChainLinksAsync(IQuerySession session, long[] sequences, CancellationToken ct)
    {
        var links = new Dictionary<long, ChainLink>(sequences.Length);
        if (sequences.Length == 0) return links;
        var schema = session.DocumentStore.Options.DatabaseSchemaName;
        await using var command = new NpgsqlCommand($"""
            select e.seq_id, e.type, e.data::text, h.previous_hash, h.hash
              from {schema}.mt_events e
              left join {schema}.{HashChainSchema.Hashes} h on h.stream_id = e.stream_id and h.version = e.version
             where e.seq_id = any(@sequences)
            """, session.Connection);
        command.Parameters.AddWithValue("sequences", sequences);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            links[reader.GetInt64(0)] = new ChainLink(reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : HashChain.Hex(reader.GetFieldValue<byte[]>(3)),
                reader.IsDBNull(4) ? null : HashChain.Hex(reader.GetFieldValue<byte[]>(4)));
        }
        return links;
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
