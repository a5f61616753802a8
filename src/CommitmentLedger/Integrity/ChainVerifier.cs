using System.Runtime.CompilerServices;
using Npgsql;

namespace CommitmentLedger.Integrity;

/// <summary>A broken link, named: which stream, which version, what failed.</summary>
public sealed record ChainProblem(Guid StreamId, long Version, string Problem);

/// <summary>One (stream, version) as found in the events table and in the hash table; either may be missing.</summary>
public sealed record ChainRow(Guid StreamId, long Version, ChainRow.EventPart? Event, ChainRow.HashPart? Hash)
{
    public sealed record EventPart(long Sequence, string Type, string Data, string? RecordedBy);

    public sealed record HashPart(long Sequence, byte[] Previous, byte[] Hash);
}

/// <summary>A stream's events re-hashed from their content: what a checkpoint's head is compared with.</summary>
public sealed record RecomputedLink(long Version, long Sequence, byte[] Hash);

/// <summary>
/// Re-hashes every event from its content and compares with what the trigger recorded, one stream at a time,
/// reading both tables in (stream, version) order so memory holds one stream, never the ledger.
/// </summary>
public sealed class ChainVerifier
{
    public long Events { get; private set; }
    public long Streams { get; private set; }
    public List<ChainProblem> Problems { get; } = [];

    /// <summary>Called after each stream with its recomputed links, in version order.</summary>
    public Action<Guid, IReadOnlyList<RecomputedLink>>? StreamVerified { get; init; }

    public async Task VerifyAsync(IAsyncEnumerable<ChainRow> rows, Action<long>? progress = null, CancellationToken ct = default)
    {
        var stream = new List<ChainRow>();
        await foreach (var row in rows.WithCancellation(ct))
        {
            if (stream.Count > 0 && stream[0].StreamId != row.StreamId)
            {
                VerifyStream(stream);
                stream.Clear();
                progress?.Invoke(Events);
            }
            stream.Add(row);
        }
        if (stream.Count > 0) VerifyStream(stream);
        progress?.Invoke(Events);
    }

    private void VerifyStream(List<ChainRow> rows)
    {
        Streams++;
        var streamId = rows[0].StreamId;
        var links = new List<RecomputedLink>(rows.Count);
        var expected = 1L;
        var storedPrevious = HashChain.Genesis;
        var recomputedPrevious = HashChain.Genesis;
        foreach (var row in rows)
        {
            var version = row.Version;
            if (version != expected)
            {
                Problems.Add(new ChainProblem(streamId, expected, version - expected == 1
                    ? $"version {expected} is missing: the event and its hash were deleted"
                    : $"versions {expected} to {version - 1} are missing: the events and their hashes were deleted"));
            }
            if (row.Event is { } e)
            {
                Events++;
                var chained = new ChainedEvent(streamId, version, e.Type, e.Data, e.RecordedBy);
                var recomputed = HashChain.Hash(recomputedPrevious, chained);
                links.Add(new RecomputedLink(version, e.Sequence, recomputed));
                recomputedPrevious = recomputed;
                if (Check(rows, row, e, storedPrevious, chained) is { } problem)
                {
                    Problems.Add(new ChainProblem(streamId, version, problem));
                }
            }
            else
            {
                Problems.Add(new ChainProblem(streamId, version,
                    $"the event is missing (deleted): its hash, recorded at sequence {row.Hash!.Sequence}, is still there"));
            }
            storedPrevious = row.Hash?.Hash ?? storedPrevious;
            expected = version + 1;
        }
        StreamVerified?.Invoke(streamId, links);
    }

    private static string? Check(List<ChainRow> rows, ChainRow row, ChainRow.EventPart e, byte[] storedPrevious, ChainedEvent chained)
    {
        if (row.Hash is not { } h)
        {
            return "the event has no hash: it was written around the ledger (trigger disabled or a direct insert)";
        }
        if (h.Sequence != e.Sequence)
        {
            var original = rows.FirstOrDefault(r => r.Hash?.Sequence == e.Sequence);
            return original is null
                ? $"the event at this version has sequence {e.Sequence}, but the hash was recorded for sequence {h.Sequence}"
                : $"events were reordered: the event recorded as version {original.Version} (sequence {e.Sequence}) now sits at version {row.Version}";
        }
        if (!h.Previous.AsSpan().SequenceEqual(storedPrevious))
        {
            return "the recorded previous hash is not the hash of the version before: the chain was cut or re-linked";
        }
        if (!HashChain.Hash(h.Previous, chained).AsSpan().SequenceEqual(h.Hash))
        {
            return "the event's content (data, type, effective date or recorded-by) no longer matches its hash: it was altered";
        }
        return null;
    }

    /// <summary>
    /// Events and hashes merged in (stream, version) order. Both sides come from their primary-key indexes, so
    /// PostgreSQL merges two index scans and never sorts the ledger.
    /// </summary>
    public static async IAsyncEnumerable<ChainRow> ReadAsync(NpgsqlConnection connection, string schema,
        Guid? streamId = null, long? upToSequence = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var filter = (streamId is null ? "" : " and stream_id = @stream") + (upToSequence is null ? "" : " and seq_id <= @upTo");
        var sql = $"""
            select stream_id, version, 0 as side, seq_id, type, data::text, user_name, null::bytea, null::bytea
              from {schema}.mt_events where stream_id is not null{filter}
            union all
            select stream_id, version, 1, seq_id, null, null, null, previous_hash, hash
              from {schema}.{HashChainSchema.Hashes} where true{filter}
            order by 1, 2, 3
            """;
        await using var command = new NpgsqlCommand(sql, connection);
        if (streamId is { } id) command.Parameters.AddWithValue("stream", id);
        if (upToSequence is { } upTo) command.Parameters.AddWithValue("upTo", upTo);
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        ChainRow? pending = null;
        while (await reader.ReadAsync(ct))
        {
            var stream = reader.GetGuid(0);
            var version = reader.GetInt64(1);
            var side = reader.GetInt32(2);
            var sequence = reader.GetInt64(3);
            ChainRow row;
            if (side == 0)
            {
                row = new ChainRow(stream, version,
                    new ChainRow.EventPart(sequence, reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)),
                    null);
            }
            else
            {
                var hash = new ChainRow.HashPart(sequence, reader.GetFieldValue<byte[]>(7), reader.GetFieldValue<byte[]>(8));
                if (pending is not null && pending.StreamId == stream && pending.Version == version && pending.Hash is null)
                {
                    pending = pending with { Hash = hash };
                    continue;
                }
                row = new ChainRow(stream, version, null, hash);
            }
            if (pending is not null) yield return pending;
            pending = row;
        }
        if (pending is not null) yield return pending;
    }
}
