using System.Runtime.CompilerServices;
using Npgsql;

namespace CommitmentLedger.Integrity;

/// <summary>A broken link, named: which stream, which version, what failed.</summary>
public sealed record ChainProblem(Guid StreamId, long Version, string Problem);

/// <summary>One (stream, version) as found in the events table and in the hash table; either may be missing.</summary>
public sealed record ChainRow(Guid StreamId, long Version, ChainRow.EventPart? Event, ChainRow.HashPart? Hash)
{
    public sealed record EventPart(long Sequence, string Type, byte[] Data, string? RecordedBy, string EffectiveOn);

    public sealed record HashPart(long Sequence, byte[] Previous, byte[] Hash);
}

/// <summary>A stream's events re-hashed from their content: what a checkpoint's head is compared with.</summary>
public sealed record RecomputedLink(long Version, long Sequence, byte[] Hash);

/// <summary>
/// Re-hashes every event from its content and compares with what the trigger recorded, one stream at a time,
/// reading both tables in (stream, version) order so memory holds one stream, never the ledger.
/// </summary>
public sealed class ChainVerifier : IDisposable
{
    private readonly System.Security.Cryptography.IncrementalHash _sha =
        System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);

    public void Dispose() => _sha.Dispose();

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
                var chained = new ChainedEvent(streamId, version, e.Type, e.Data, e.RecordedBy, e.EffectiveOn);
                var recomputed = HashChain.Hash(_sha, recomputedPrevious, chained);
                if (Check(rows, row, e, storedPrevious, chained, recomputedPrevious, recomputed) is { } problem)
                {
                    Problems.Add(new ChainProblem(streamId, version, problem));
                }
                links.Add(new RecomputedLink(version, e.Sequence, recomputed));
                recomputedPrevious = recomputed;
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

    /// <param name="recomputed">The content's hash chained on <paramref name="recomputedPrevious"/>: while the recomputed
    /// chain and the stored one agree, it is the only hash computed per event.</param>
    private string? Check(List<ChainRow> rows, ChainRow row, ChainRow.EventPart e, byte[] storedPrevious,
        ChainedEvent chained, byte[] recomputedPrevious, byte[] recomputed)
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
        var content = h.Previous.AsSpan().SequenceEqual(recomputedPrevious) ? recomputed : HashChain.Hash(_sha, h.Previous, chained);
        if (!content.AsSpan().SequenceEqual(h.Hash))
        {
            return "the event's content (data, type, effective date or recorded-by) no longer matches its hash: it was altered";
        }
        return null;
    }

    /// <summary>
    /// Events and hashes merged in (stream, version) order. Each side is read on its own connection through its
    /// primary-key index, so PostgreSQL never sorts the ledger and both reads run at once; the merge is here.
    /// </summary>
    public static async IAsyncEnumerable<ChainRow> ReadAsync(Marten.IDocumentStore store,
        Guid? streamId = null, long? upToSequence = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var schema = store.Options.DatabaseSchemaName;
        var filter = (streamId is null ? "" : " and stream_id = @stream") + (upToSequence is null ? "" : " and seq_id <= @upTo");
        await using var eventConnection = store.Storage.Database.CreateConnection();
        await using var hashConnection = store.Storage.Database.CreateConnection();
        await eventConnection.OpenAsync(ct);
        await hashConnection.OpenAsync(ct);
        await using var events = Reader(eventConnection,
            $"select stream_id, version, seq_id, type, convert_to(data::text, 'UTF8'), user_name, coalesce(data ->> 'effectiveOn', '') from {schema}.mt_events " +
            $"where stream_id is not null{filter} order by stream_id, version", streamId, upToSequence, ct);
        await using var hashes = Reader(hashConnection,
            $"select stream_id, version, seq_id, previous_hash, hash from {schema}.{HashChainSchema.Hashes} " +
            $"where true{filter} order by stream_id, version", streamId, upToSequence, ct);

        var hasEvent = await events.MoveNextAsync();
        var hasHash = await hashes.MoveNextAsync();
        while (hasEvent || hasHash)
        {
            var order = !hasEvent ? 1 : !hasHash ? -1 : Compare(events.Current, hashes.Current);
            var key = order <= 0 ? events.Current : hashes.Current;
            var row = new ChainRow(key.GetGuid(0), key.GetInt64(1),
                order <= 0 ? new ChainRow.EventPart(key.GetInt64(2), key.GetString(3), key.GetFieldValue<byte[]>(4), key.IsDBNull(5) ? null : key.GetString(5), key.GetString(6)) : null,
                order >= 0 ? HashOf(hashes.Current) : null);
            if (order <= 0) hasEvent = await events.MoveNextAsync();
            if (order >= 0) hasHash = await hashes.MoveNextAsync();
            yield return row;
        }
    }

    private static ChainRow.HashPart HashOf(NpgsqlDataReader r) =>
        new(r.GetInt64(2), r.GetFieldValue<byte[]>(3), r.GetFieldValue<byte[]>(4));

    /// <summary>PostgreSQL orders uuids by their bytes, big-endian: the order of their text.</summary>
    private static int Compare(NpgsqlDataReader a, NpgsqlDataReader b)
    {
        Span<byte> left = stackalloc byte[16];
        Span<byte> right = stackalloc byte[16];
        a.GetGuid(0).TryWriteBytes(left, bigEndian: true, out _);
        b.GetGuid(0).TryWriteBytes(right, bigEndian: true, out _);
        var byStream = left.SequenceCompareTo(right);
        return byStream != 0 ? Math.Sign(byStream) : a.GetInt64(1).CompareTo(b.GetInt64(1));
    }

    private static async IAsyncEnumerator<NpgsqlDataReader> Reader(NpgsqlConnection connection, string sql, Guid? streamId,
        long? upToSequence, CancellationToken ct)
    {
        await using (var settings = new NpgsqlCommand("set jit = off", connection)) await settings.ExecuteNonQueryAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        if (streamId is { } id) command.Parameters.AddWithValue("stream", id);
        if (upToSequence is { } upTo) command.Parameters.AddWithValue("upTo", upTo);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) yield return reader;
    }
}
